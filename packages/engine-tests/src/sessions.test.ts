import { describe, expect, it } from 'vitest'
import { createSessions, isSessionError, type SessionError, type SessionEvent, type Sessions, type SessionsOptions } from '@sess/core'
import { z } from 'zod'
import { CookieJar } from './cookie-jar.js'
import { createHarness } from './harness.js'
import { referenceEngine } from './reference-engine.js'

const configError = (options: unknown): unknown => {
  try {
    createSessions(options as SessionsOptions)
  } catch (error) {
    return error
  }
  return undefined
}

describe('createSessions validates options once, at start-up', () => {
  const cases: Array<[string, unknown]> = [
    ['no options', undefined],
    ['no engine', {}],
    ['an engine without update()', { engine: { name: 'x', capabilities: {}, read() {}, create() {}, destroy() {} } }],
    ['maxAge 0', { engine: referenceEngine(), maxAge: 0 }],
    ['a negative maxAge', { engine: referenceEngine(), maxAge: -1 }],
    ['a string maxAge', { engine: referenceEngine(), maxAge: '60' }],
    ['an infinite absoluteMaxAge', { engine: referenceEngine(), absoluteMaxAge: Infinity }],
    ['a fractional maxConflictRetries', { engine: referenceEngine(), maxConflictRetries: 1.5 }],
    ['a serializer without parse', { engine: referenceEngine(), serializer: { name: 'x', stringify: String } }],
    ['a cookie path with a semicolon', { engine: referenceEngine(), cookie: { path: '/;x' } }],
  ]
  for (const [label, options] of cases) {
    it(`refuses ${label} with SessionError('CONFIG')`, () => {
      expect(isSessionError(configError(options), 'CONFIG')).toBe(true)
    })
  }
})

describe('events', () => {
  const collect = () => {
    const events: SessionEvent[] = []
    return { events, onEvent: (event: SessionEvent) => events.push(event) }
  }

  it('reports malformed cookies and unknown keys, without the key', async () => {
    const { events, onEvent } = collect()
    const h = createHarness(referenceEngine(), { onEvent })
    await h.sessions.load('sessionid=../../etc').get('x')
    await h.sessions.load(`sessionid=${'a'.repeat(32)}`).get('x')
    expect(events).toEqual([
      { type: 'cookie.malformed', store: 'reference' },
      { type: 'session.unknown', store: 'reference' },
    ])
    expect(JSON.stringify(events)).not.toContain('a'.repeat(32))
  })

  it('reads a corrupt payload as an empty session that keeps its key, and reports it', async () => {
    const { events, onEvent } = collect()
    const engine = referenceEngine()
    const h = createHarness(engine, { onEvent })
    const jar = new CookieJar()
    const { session } = await h.request(jar, (s) => s.set('user', 'ada'))
    const key = session.key!
    await engine.update(key, { payload: '{not json', expiresAt: new Date(Date.UTC(2031, 0, 1)), version: 2 })
    const { result, session: again } = await h.request(jar, async (s) => {
      const user = await s.get('user')
      await s.set('count', 1)
      return user
    })
    expect(result).toBeUndefined()
    expect(again.key).toBe(key)
    expect(events.map((e) => e.type)).toEqual(['session.corrupt'])
    expect((await h.request(jar, (s) => s.entries())).result).toEqual([['count', 1]])
  })

  it('reports conflicts between processes, and a throwing listener breaks nothing', async () => {
    const events: string[] = []
    const engine = referenceEngine()
    const onEvent = (event: SessionEvent) => {
      events.push(event.type)
      throw new Error('listener bug')
    }
    // Two createSessions over one engine stand for two app processes: they share no in-process queue.
    const h = createHarness(engine, { onEvent })
    const other = createSessions({ engine, onEvent, now: h.clock.now })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('a', 1))
    const first = h.sessions.load(jar.header())
    const second = other.load(jar.header())
    await first.set('b', 2)
    await second.set('c', 3)
    await h.sessions.commit(first)
    await other.commit(second)
    expect(events).toEqual(['session.conflict'])
    expect(Object.fromEntries((await h.request(jar, (s) => s.entries())).result)).toEqual({ a: 1, b: 2, c: 3 })
  })

  it('parallel saves of one session inside one process queue instead of conflicting', async () => {
    const events: string[] = []
    const h = createHarness(referenceEngine(), { onEvent: (event) => events.push(event.type) })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('a', 1))
    const first = h.sessions.load(jar.header())
    const second = h.sessions.load(jar.header())
    await first.set('b', 2)
    await second.set('c', 3)
    await Promise.all([h.sessions.commit(first), h.sessions.commit(second)])
    expect(events).toEqual([])
    expect(Object.fromEntries((await h.request(jar, (s) => s.entries())).result)).toEqual({ a: 1, b: 2, c: 3 })
  })
})

describe('commit', () => {
  it('a second commit writes nothing when nothing changed after the first', async () => {
    const h = createHarness(referenceEngine())
    const session = h.sessions.load(undefined)
    await session.set('a', 1)
    const first = await h.sessions.commit(session)
    h.counter.reset()
    const second = await h.sessions.commit(session)
    expect(second.setCookie).toEqual(first.setCookie)
    expect(h.counter.total()).toBe(0)
  })

  it('is synchronous for an untouched session', () => {
    const h = createHarness(referenceEngine())
    const result = h.sessions.commit(h.sessions.load(`sessionid=${'a'.repeat(32)}`))
    expect(result).not.toBeInstanceOf(Promise)
    expect(result).toEqual({ setCookie: [], vary: false })
  })

  it('turns an engine failure into SessionError("ENGINE") with the cause, status 500', async () => {
    const engine = referenceEngine()
    const cause = new Error('disk on fire')
    engine.create = async () => {
      throw cause
    }
    const h = createHarness(engine)
    const session = h.sessions.load(undefined)
    await session.set('a', 1)
    const error = await Promise.resolve(h.sessions.commit(session)).then(
      () => null,
      (e: unknown) => e,
    )
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as SessionError).cause).toBe(cause)
    expect((error as SessionError).status).toBe(500)
    expect((error as Error).message).toBe('[@sess/reference] create failed: disk on fire')
  })

  it('gives up after maxConflictRetries with VERSION_CONFLICT', async () => {
    const engine = referenceEngine()
    const h = createHarness(engine, { maxConflictRetries: 2 })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('a', 1))
    const update = engine.update.bind(engine)
    let calls = 0
    engine.update = async (key, record, ifVersion) => {
      calls++
      // Another writer always gets in first.
      const current = await engine.read(key, new Date(0))
      await update(key, { ...current!, version: current!.version + 1 })
      return update(key, record, ifVersion)
    }
    const session = h.sessions.load(jar.header())
    await session.set('b', 2)
    const error = await Promise.resolve(h.sessions.commit(session)).then(
      () => null,
      (e: unknown) => e,
    )
    expect(isSessionError(error, 'VERSION_CONFLICT')).toBe(true)
    expect(calls).toBe(3)
  })

  it('uses the configured cookie attributes', async () => {
    const h = createHarness(referenceEngine(), {
      cookie: { name: 'sid', domain: 'example.com', path: '/app', secure: true, sameSite: 'strict', partitioned: true },
    })
    const session = h.sessions.load(undefined)
    await session.set('a', 1)
    const { setCookie } = await h.sessions.commit(session)
    expect(setCookie[0]).toMatch(
      /^sid=[a-z0-9]{32}; Max-Age=1209600; Expires=[^;]+; Domain=example\.com; Path=\/app; Secure; HttpOnly; SameSite=Strict; Partitioned$/,
    )
  })

  it('with rolling (alias of saveEveryRequest) touches an unchanged session instead of rewriting it', async () => {
    const h = createHarness(referenceEngine(), { rolling: true, maxAge: 60 })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('a', 1))
    h.counter.reset()
    h.clock.advance(30)
    await h.request(jar, () => undefined)
    expect(h.counter.calls).toEqual({ read: 1, touch: 1 })
  })
})

describe('serializers', () => {
  it('a custom serializer can store what JSON cannot', async () => {
    const serializer = {
      name: 'dates',
      stringify: (value: unknown) =>
        JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
          return this[key] instanceof Date ? { $date: v } : v
        }),
      parse: (text: string) =>
        JSON.parse(text, (_k, v: { $date?: string }) =>
          v && typeof v === 'object' && typeof v.$date === 'string' ? new Date(v.$date) : v,
        ) as unknown,
    }
    const h = createHarness(referenceEngine(), { serializer })
    const jar = new CookieJar()
    const when = new Date(Date.UTC(2024, 1, 2))
    await h.request(jar, (s) => s.set('when', when))
    const { result } = await h.request(jar, (s) => s.get('when'))
    expect(result).toBeInstanceOf(Date)
    expect((result as Date).getTime()).toBe(when.getTime())
  })

  it('without check(), a value the serializer throws on is refused with DATA', async () => {
    const serializer = { name: 'strict', stringify: (v: unknown) => JSON.stringify(v), parse: (t: string) => JSON.parse(t) as unknown }
    const h = createHarness(referenceEngine(), { serializer })
    const error = await h.sessions
      .load(undefined)
      .set('n', 1n)
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(isSessionError(error, 'DATA')).toBe(true)
  })
})

/** The reference engine, with updates that wait `before` (the second update call and later) so parallel saves overlap. */
function slowEngine(before: (call: number) => Promise<void> = () => new Promise((resolve) => setTimeout(resolve, 2))) {
  const engine = referenceEngine()
  let calls = 0
  const slow = {
    ...engine,
    name: engine.name,
    capabilities: engine.capabilities,
    read: engine.read.bind(engine),
    create: engine.create.bind(engine),
    destroy: engine.destroy.bind(engine),
    update: async (...args: Parameters<typeof engine.update>) => {
      await before(++calls)
      return engine.update(...args)
    },
  }
  return { engine, slow }
}

/** Ten requests of one session: all read first, then all modify `count` and commit at once. */
async function tenParallel(sessions: Sessions<any>, jar: CookieJar, step = 1) {
  const loaded = Array.from({ length: 10 }, () => sessions.load(jar.header()))
  await Promise.all(loaded.map((s) => s.get('count')))
  return Promise.allSettled(
    loaded.map(async (s) => {
      await s.modify('count', (n = 0) => (n as number) + step)
      await sessions.commit(s, { final: true })
    }),
  )
}

describe('parallel saves of one session inside one process', () => {
  it('queue and commit as a group: no conflict, no lost update, one write for the saves that queued, no extra read', async () => {
    const conflicts: SessionEvent[] = []
    const { slow } = slowEngine()
    const h = createHarness(slow, { onEvent: (event) => event.type === 'session.conflict' && conflicts.push(event) })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('count', 0))
    h.counter.reset()
    const results = await tenParallel(h.sessions, jar)
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    expect((await h.request(jar, (s) => s.get('count'))).result).toBe(10)
    expect(conflicts).toEqual([])
    // The first save writes at once; the nine that queued behind it are written together, each change applied.
    expect(h.counter.calls.update).toBe(2)
    // Ten loads plus the final check's: the queued saves took the previous save's record instead of reading it.
    expect(h.counter.calls.read).toBe(11)
  })

  it('fails only the saves whose own re-applied change the schema refuses; the others are written', async () => {
    const { slow } = slowEngine()
    const h = createHarness<Record<string, any>>(slow, { schema: z.object({ count: z.number().max(5).optional() }) })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('count', 0))
    const results = await tenParallel(h.sessions, jar)
    // Each request incremented what the one before it saved: the 6th and later would make count 6 and more.
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(refused).toHaveLength(5)
    for (const r of refused) expect(isSessionError(r.reason, 'DATA')).toBe(true)
    expect((await h.request(jar, (s) => s.get('count'))).result).toBe(5)
  })

  it('a group of final commits is serialised once and parses nothing beyond the loads and its base', async () => {
    let parses = 0
    let stringifies = 0
    const serializer = {
      name: 'counting-json',
      parse: (text: string): unknown => {
        parses++
        return JSON.parse(text)
      },
      stringify: (value: unknown): string => {
        stringifies++
        return JSON.stringify(value)
      },
      check: (): undefined => undefined, // values are checked without serialising them: only records are counted
    }
    const { slow } = slowEngine()
    const h = createHarness(slow, { serializer })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('count', 0))
    parses = 0
    stringifies = 0
    const results = await tenParallel(h.sessions, jar)
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    // The first save alone (one serialisation); the nine queued behind it as one group: its base parsed once, the
    // nine states chained without serialising, the last one serialised.
    expect({ parses, stringifies }).toEqual({ parses: 10 + 1, stringifies: 2 })
    expect((await h.request(jar, (s) => s.get('count'))).result).toBe(10)
  })

  it('in a group of final commits, the changes of each request land in order: sets, deletes, modify', async () => {
    const { slow } = slowEngine()
    const h = createHarness<Record<string, any>>(slow)
    const jar = new CookieJar()
    await h.request(jar, (s) => s.update({ count: 0, list: ['seed'], gone: true }))
    const loaded = Array.from({ length: 6 }, () => h.sessions.load(jar.header()))
    await Promise.all(loaded.map((s) => s.get('count')))
    const steps: Array<(s: (typeof loaded)[number]) => Promise<unknown>> = [
      (s) => s.modify('count', (n = 0) => n + 1), // alone: written first
      (s) => s.modify('list', (l = []) => [...l, 'a']), // the group starts here
      (s) => s.delete('gone'),
      (s) => Promise.all([s.set('tag', 'x'), s.modify('count', (n = 0) => n + 10)]),
      (s) => s.modify('list', (l = []) => [...l, 'b']),
      (s) => s.modify('count', (n = 0) => n * 2),
    ]
    // On loaded data every call applies before it returns, so the commits start in this order, each with its change.
    const changed = loaded.map((s, i) => steps[i]!(s))
    const committed = await Promise.all(loaded.map((s) => h.sessions.commit(s, { final: true })))
    await Promise.all(changed)
    for (const headers of committed) expect(headers.setCookie).toHaveLength(1)
    const { result } = await h.request(jar, (s) => s.entries())
    expect(Object.fromEntries(result as Array<[string, unknown]>)).toEqual({ count: 22, list: ['seed', 'a', 'b'], tag: 'x' })
    // Each request's state is its own: the last holds what was written, an earlier one what it left to the next.
    expect(await loaded[5]!.get('count')).toBe(22)
    expect(await loaded[4]!.get('list')).toEqual(['seed', 'a', 'b'])
    expect(await loaded[1]!.has('tag')).toBe(false)
  })

  it('in a group of final commits, a modify that throws on its re-run fails alone; the others are written', async () => {
    const { slow } = slowEngine()
    const h = createHarness(slow)
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('count', 0))
    const loaded = Array.from({ length: 10 }, () => h.sessions.load(jar.header()))
    await Promise.all(loaded.map((s) => s.get('count')))
    const results = await Promise.allSettled(
      loaded.map(async (s) => {
        await s.modify('count', (n = 0) => {
          if ((n as number) >= 3) throw new Error('full')
          return (n as number) + 1
        })
        await h.sessions.commit(s, { final: true })
      }),
    )
    // Each ran on its own loaded 0, then re-ran on what the save before it left: 1, 2, 3 (throws), 3, 3…
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')) expect(r.reason.message).toBe('full')
    expect((await h.request(jar, (s) => s.get('count'))).result).toBe(3)
  })

  it('re-reads and re-applies every grouped save when another process wrote meanwhile', async () => {
    const conflicts: SessionEvent[] = []
    let other: (() => Promise<unknown>) | null = null
    // The group's write (the second update) waits for another process's save of the same session first.
    const { engine, slow } = slowEngine(async (call) => {
      await new Promise((resolve) => setTimeout(resolve, 2))
      if (call === 2 && other !== null) await other()
    })
    const h = createHarness(slow, { onEvent: (event) => event.type === 'session.conflict' && conflicts.push(event) })
    const elsewhere = createHarness(engine)
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('count', 0))
    other = () => elsewhere.request(jar.clone(), (s) => s.modify('count', (n = 0) => (n as number) + 100))
    const results = await tenParallel(h.sessions, jar)
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true)
    expect(conflicts).toHaveLength(1)
    expect((await h.request(jar, (s) => s.get('count'))).result).toBe(110)
  })
})
