import { describe, expect, it } from 'vitest'
import type { SessionStore } from './engine.js'
import { engineStore } from './engine-store.js'
import { isSessionError } from './errors.js'
import type { SessionEvent } from './events.js'
import { sessionHandle } from './handle.js'
import { decodePayload, encodePayload } from './payload.js'
import { jsonSerializer } from './serializer.js'
import type { Session } from './session.js'
import { createSessions, type Sessions, type SessionsOptions } from './sessions.js'
import { indexedTestEngine } from './test-indexed-engine.js'
import { metadataProblem, userIdProblem } from './user.js'

const start = Date.UTC(2030, 0, 1)

/** Sessions over a logging indexed engine, a settable clock, and a one-cookie browser. */
function setUp(options: Partial<SessionsOptions> = {}) {
  const engine = indexedTestEngine()
  let now = start
  const events: SessionEvent[] = []
  const sessions = createSessions({ engine, now: () => now, onEvent: (e) => events.push(e), ...options })
  return {
    engine,
    events,
    sessions,
    advance: (seconds: number) => (now += seconds * 1000),
    browser: () => new Browser(sessions),
  }
}

class Browser {
  cookie: string | undefined
  constructor(readonly sessions: Sessions) {}
  async request<T>(handler: (s: Session) => T | Promise<T>): Promise<{ result: T; session: Session }> {
    const session = this.sessions.load(this.cookie === undefined ? undefined : `sessionid=${this.cookie}`)
    const result = await handler(session)
    const { setCookie } = await this.sessions.commit(session, { final: true })
    for (const line of setCookie) {
      const value = /^sessionid=([^;]*)/.exec(line)?.[1]
      this.cookie = /Max-Age=0/.test(line) ? undefined : value
    }
    return { result, session }
  }
}

const rejects = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  )

describe('every create and update of a signed-in session names its user and handle', () => {
  it('first save, later updates, a touch, a login cycle and a logout', async () => {
    const { engine, browser } = setUp({ saveEveryRequest: true })
    const b = browser()
    await b.request((s) => s.set('cart', ['book']))
    const anonymousKey = b.cookie!
    await b.request((s) => s.setUser('ada', { ua: 'Firefox' }))
    const key = b.cookie!
    expect(key).not.toBe(anonymousKey)
    await b.request((s) => s.set('n', 1))
    await b.request(() => undefined) // saveEveryRequest with nothing changed: a touch, no rewrite
    await b.request((s) => s.setUser(null))
    const signedOutKey = b.cookie!
    const writes = engine.writes.map((w) => [w.op, w.key, w.record?.userId, w.record?.handle])
    expect(writes).toEqual([
      ['create', anonymousKey, undefined, undefined],
      ['create', key, 'ada', sessionHandle(key)],
      ['update', anonymousKey, undefined, undefined], // the old key ended: anonymous, expired
      ['destroy', anonymousKey, undefined, undefined],
      ['update', key, 'ada', sessionHandle(key)],
      ['touch', key, undefined, undefined],
      ['create', signedOutKey, undefined, undefined],
      ['update', key, undefined, undefined],
      ['destroy', key, undefined, undefined],
    ])
  })

  it('a versioned update that conflicts with another process is retried with the user and handle', async () => {
    const engine = indexedTestEngine()
    const a = createSessions({ engine, now: () => start })
    const other = createSessions({ engine, now: () => start })
    const login = a.load(undefined)
    await login.setUser('ada')
    await a.commit(login)
    const key = login.key!
    const cookie = `sessionid=${key}`
    const slow = a.load(cookie)
    await slow.get('x')
    const fast = other.load(cookie)
    await fast.set('x', 1)
    await other.commit(fast) // another process: this process's key locks do not know it
    await slow.set('y', 2)
    await a.commit(slow)
    const updates = engine.writes.filter((w) => w.op === 'update')
    expect(updates.map((w) => [w.record!.version, w.record!.userId, w.record!.handle])).toEqual([
      [2, 'ada', sessionHandle(key)],
      [3, 'ada', sessionHandle(key)],
    ])
    expect(decodePayload(jsonSerializer, engine.records.get(key)!.payload).data).toEqual(
      new Map<string, unknown>([
        ['x', 1],
        ['y', 2],
      ]),
    )
  })

  it('a login cycle that conflicts with another process writes the user and the new handle on every retry', async () => {
    const engine = indexedTestEngine()
    const a = createSessions({ engine, now: () => start })
    const other = createSessions({ engine, now: () => start })
    const first = a.load(undefined)
    await first.set('count', 0)
    await a.commit(first)
    const cookie = `sessionid=${first.key}`
    const login = a.load(cookie)
    await login.get('count')
    const parallel = other.load(cookie)
    await parallel.set('count', 1)
    await other.commit(parallel)
    await login.setUser('ada', { ip: '1' })
    await a.commit(login)
    const newKey = login.key!
    const onNew = engine.writes.filter((w) => w.key === newKey)
    expect(onNew.map((w) => [w.op, w.record?.version, w.record?.userId, w.record?.handle])).toEqual([
      ['create', 1, 'ada', sessionHandle(newKey)],
      ['update', 2, 'ada', sessionHandle(newKey)], // re-applied on top of the parallel save
    ])
    const stored = decodePayload(jsonSerializer, engine.records.get(newKey)!.payload)
    expect(stored.user).toEqual({ id: 'ada', metadata: { ip: '1' } })
    expect(stored.data.get('count')).toBe(1)
    expect(engine.records.has(first.key!)).toBe(false)
  })
})

describe('the payload envelope', () => {
  it('stays as it was for anonymous sessions, and adds only u, m (when not empty) and s for signed-in ones', () => {
    const data = new Map([['a', 1]])
    expect(encodePayload(jsonSerializer, { data, created: 5, expiry: null })).toBe('{"d":{"a":1},"c":5}')
    expect(encodePayload(jsonSerializer, { data, created: 5, expiry: null, user: null, saved: 9 })).toBe('{"d":{"a":1},"c":5}')
    expect(encodePayload(jsonSerializer, { data, created: 5, expiry: null, user: { id: 'ada', metadata: {} }, saved: 9 })).toBe(
      '{"d":{"a":1},"c":5,"u":"ada","s":9}',
    )
    expect(encodePayload(jsonSerializer, { data, created: 5, expiry: 60, user: { id: 'ada', metadata: { ip: '1' } }, saved: 9 })).toBe(
      '{"d":{"a":1},"c":5,"e":60,"u":"ada","m":{"ip":"1"},"s":9}',
    )
  })

  it('loads a payload written before the user index as an anonymous session', async () => {
    const { engine, sessions } = setUp()
    const key = 'k'.repeat(32)
    await engine.create(key, { payload: '{"d":{"cart":[1]},"c":1}', expiresAt: new Date(start + 60_000), version: 1 })
    const session = sessions.load(`sessionid=${key}`)
    expect(await session.get('cart')).toEqual([1])
    expect(await session.getUser()).toBeNull()
  })

  it('reads a payload with a malformed user as corrupt (an empty session), never as someone', async () => {
    for (const envelope of [
      { d: {}, c: 1, u: '' },
      { d: {}, c: 1, u: 42 },
      { d: {}, c: 1, u: 'ada', m: { deep: { x: 1 } } },
      { d: {}, c: 1, u: 'ada', m: [1] },
      { d: {}, c: 1, u: 'ada', s: 'yesterday' },
    ]) {
      const { engine, sessions, events } = setUp()
      const key = 'k'.repeat(32)
      await engine.create(key, { payload: JSON.stringify(envelope), expiresAt: new Date(start + 60_000), version: 1 })
      const session = sessions.load(`sessionid=${key}`)
      expect(await session.getUser()).toBeNull()
      expect(events.map((e) => e.type)).toEqual(['session.corrupt'])
    }
  })
})

describe('setUser', () => {
  it('an empty new session that only signs in is saved; metadata is copied in and out', async () => {
    const { engine, browser } = setUp()
    const b = browser()
    const metadata = { ua: 'Firefox' }
    const { session } = await b.request(async (s) => {
      await s.setUser('ada', metadata)
      metadata.ua = 'changed'
      const user = await s.getUser()
      ;(user!.metadata as Record<string, unknown>).ua = 'changed too'
      expect(s.isEmpty()).toBe(false)
    })
    expect(session.key).not.toBeNull()
    expect(engine.records.size).toBe(1)
    expect((await b.request((s) => s.getUser())).result).toEqual({ id: 'ada', metadata: { ua: 'Firefox' } })
  })

  it('keeps __proto__ metadata keys as plain data', async () => {
    const { browser } = setUp()
    const b = browser()
    const metadata = JSON.parse('{"__proto__":"x","ok":true}')
    await b.request((s) => s.setUser('ada', metadata))
    const { result } = await b.request((s) => s.getUser())
    expect(Object.getPrototypeOf(result!.metadata)).toBe(Object.prototype)
    expect(Object.keys(result!.metadata).sort()).toEqual(['__proto__', 'ok'])
  })

  it('setUser(null) on an anonymous session changes nothing; accessed but not modified', async () => {
    const { engine, browser } = setUp()
    const b = browser()
    await b.request((s) => s.set('n', 1))
    const writes = engine.writes.length
    const { session } = await b.request((s) => s.setUser(null))
    expect(session.accessed).toBe(true)
    expect(session.modified).toBe(false)
    expect(engine.writes.length).toBe(writes)
  })

  it('handle is null without a key, follows the key, and is never the key', async () => {
    const { browser } = setUp()
    const b = browser()
    const { session } = await b.request(async (s) => {
      expect(s.handle).toBeNull()
      await s.setUser('ada')
      expect(s.handle).toBeNull() // not saved yet
    })
    expect(session.handle).toBe(sessionHandle(session.key!))
    expect(session.handle).not.toContain(session.key!)
    const again = b.cookie!
    const cycled = await b.request((s) => s.cycleKey())
    expect(cycled.session.handle).not.toBe(sessionHandle(again))
  })

  it('clear() keeps the user; flush() signs out', async () => {
    const { browser } = setUp()
    const b = browser()
    await b.request(async (s) => {
      await s.setUser('ada')
      await s.set('n', 1)
    })
    await b.request((s) => s.clear())
    expect((await b.request((s) => s.getUser())).result?.id).toBe('ada')
    await b.request((s) => s.flush())
    expect(b.cookie).toBeUndefined()
    expect((await b.request((s) => s.getUser())).result).toBeNull()
  })

  it("signing in keeps an anonymous session's data; signing in as another user empties it, under a new key", async () => {
    const { browser, engine } = setUp()
    const b = browser()
    await b.request((s) => s.set('cart', ['book']))
    const anonymous = b.cookie
    await b.request((s) => s.setUser('ada'))
    expect(b.cookie).not.toBe(anonymous)
    expect((await b.request((s) => s.get('cart'))).result).toEqual(['book'])
    await b.request(async (s) => {
      await s.setUser('ada', { ua: 'x' }) // the same user again: the data stays
      await s.set('n', 1)
    })
    expect((await b.request((s) => s.get('cart'))).result).toEqual(['book'])
    const ada = b.cookie
    const { result } = await b.request(async (s) => {
      await s.setUser('bob')
      return [await s.get('cart'), await s.get('n'), await s.keys()]
    })
    expect(result).toEqual([undefined, undefined, []])
    expect(b.cookie).not.toBe(ada)
    expect((await b.request((s) => s.getUser())).result?.id).toBe('bob')
    expect((await b.request((s) => s.get('cart'))).result).toBeUndefined()
    // ada's data is nowhere: her record went with the key cycle, bob's holds none of it
    const records = [...engine.records.values()]
    expect(records.map((r) => r.userId)).toEqual(['bob'])
    expect(records.every((r) => !r.payload.includes('book'))).toBe(true)
  })

  it('a failed save keeps the user change for the retry', async () => {
    const { engine, sessions } = setUp()
    const session = sessions.load(undefined)
    await session.setUser('ada')
    const create = engine.create
    engine.create = () => Promise.reject(new Error('disk full'))
    expect(isSessionError(await rejects(session.save()), 'ENGINE')).toBe(true)
    engine.create = create
    await session.save()
    expect([...engine.records.values()].map((r) => r.userId)).toEqual(['ada'])
  })
})

describe('listFor, destroyAllFor, destroyHandle', () => {
  it('listFor reads the envelope only: a record whose payload does not decode is skipped and reported', async () => {
    const { engine, sessions, browser, events } = setUp()
    const b = browser()
    await b.request((s) => s.setUser('ada', { ua: 'x' }))
    const key = 'k'.repeat(32)
    await engine.create(key, {
      payload: 'not json',
      expiresAt: new Date(start + 60_000),
      version: 1,
      userId: 'ada',
      handle: sessionHandle(key),
    })
    const listed = await sessions.listFor('ada')
    expect(listed.map((d) => d.metadata)).toEqual([{ ua: 'x' }])
    expect(events.filter((e) => e.type === 'session.corrupt')).toHaveLength(1)
  })

  it('listFor never runs the schema over the data', async () => {
    let runs = 0
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: (value: unknown) => {
          runs++
          return { value: value as Record<string, unknown> }
        },
      },
    }
    const { browser, sessions } = setUp({ schema })
    await browser().request(async (s) => {
      await s.set('n', 1)
      await s.setUser('ada')
    })
    const before = runs
    expect(await sessions.listFor('ada')).toHaveLength(1)
    expect(runs).toBe(before)
  })

  it('a lastSaved tie sorts by created, then handle, so the order is stable', async () => {
    const { browser, sessions } = setUp()
    for (let i = 0; i < 5; i++) await browser().request((s) => s.setUser('ada'))
    const listed = await sessions.listFor('ada')
    const handles = listed.map((d) => d.handle)
    expect(handles).toEqual([...handles].sort())
  })

  it('destroyAllFor with a Session that has no key yet ends them all', async () => {
    const { browser, sessions } = setUp()
    await browser().request((s) => s.setUser('ada'))
    await browser().request((s) => s.setUser('ada'))
    expect(await sessions.destroyAllFor('ada', { except: sessions.load(undefined) })).toBe(2)
  })

  it('destroyAllFor refuses an except that is neither a session nor a handle', async () => {
    const { sessions } = setUp()
    for (const except of [42, { handle: 'not a handle' }, 'x'.repeat(32)]) {
      const error = await rejects(sessions.destroyAllFor('ada', { except: except as never }))
      expect(isSessionError(error, 'DATA')).toBe(true)
    }
  })
})

describe('stores without the index', () => {
  it('an engine without the capability: CONFIG naming the engine and the ones that have it; setUser still works', async () => {
    const { listUser: _l, destroyUser: _d, ...rest } = indexedTestEngine()
    const engine = { ...rest, capabilities: { durable: false, touch: true, purge: false } }
    const sessions = createSessions({ engine, now: () => start })
    expect(sessions.userIndex).toBe(false)
    for (const call of [
      () => sessions.listFor('ada'),
      () => sessions.destroyAllFor('ada'),
      () => sessions.destroyHandle('ada', 'A'.repeat(16)),
    ]) {
      const error = await rejects(call())
      expect(isSessionError(error, 'CONFIG')).toBe(true)
      expect((error as Error).message).toMatch(/user index.*"indexed-test" has none.*@sess\/sqlite/)
    }
    const session = sessions.load(undefined)
    await session.setUser('ada')
    await sessions.commit(session)
    expect((await sessions.load(`sessionid=${session.key}`).getUser())?.id).toBe('ada')
  })

  it('a cookie store: CONFIG pointing at the isRevoked pattern', async () => {
    const inner = engineStore(indexedTestEngine())
    const { listUser: _l, destroyUser: _d, userIndex: _u, ...rest } = inner
    const store: SessionStore = { ...rest, name: 'cookie-like', revocable: false }
    const sessions = createSessions({ engine: store, now: () => start })
    const error = await rejects(sessions.listFor('ada'))
    expect(isSessionError(error, 'CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(/cannot revoke.*valid after.*isRevoked/)
  })

  it('stats: CONFIG when the store has none', async () => {
    const { sessions } = setUp()
    const error = await rejects(sessions.stats())
    expect(isSessionError(error, 'CONFIG')).toBe(true)
  })
})

describe('user ids and metadata', () => {
  it('takes any printable id up to 256 UTF-16 units (emoji, quotes, separators); refuses control characters and lone surrogates', () => {
    for (const id of ['ada', 'Zoë 🐍 日本語', 'x'.repeat(256), '{tag}:a*b"c\'', '12345', 'a\u00a0b']) expect(userIdProblem(id)).toBeNull()
    for (const id of ['', 'x'.repeat(257), 'a\tb', 'a\u007fb', 'a\u0085b', '\uD83D', 'a\uDC00b', '\uDC00\uD83D']) {
      expect(userIdProblem(id), JSON.stringify(id)).not.toBeNull()
    }
  })

  it('bounds metadata: 16 entries, 1 KiB as UTF-8 JSON, primitives only', () => {
    expect(metadataProblem(Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i])))).toBeNull()
    expect(metadataProblem({ a: 'é'.repeat(500) })).toBeNull()
    expect(metadataProblem({ a: 'é'.repeat(520) })).toMatch(/1024 bytes/)
    expect(metadataProblem(Object.create(null))).toBeNull()
    expect(metadataProblem({ n: Number.POSITIVE_INFINITY })).not.toBeNull()
    expect(metadataProblem({ n: 1n })).not.toBeNull()
    expect(metadataProblem({ f: () => 1 })).not.toBeNull()
  })
})
