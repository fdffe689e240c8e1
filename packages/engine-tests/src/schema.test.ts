import { createSessions, isSessionError, type SessionEvent, type SessionsOptions } from '@sess/core'
import { richSerializer } from '@sess/core/rich'
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CookieJar } from './cookie-jar.js'
import { expectSessionError } from './engine-suite.js'
import { createHarness } from './harness.js'
import { referenceEngine } from './reference-engine.js'

const schemas = {
  zod: {
    app: z.object({
      user: z.object({ name: z.string(), roles: z.array(z.string()) }).optional(),
      count: z.number().int().optional(),
      email: z.string().trim().toLowerCase().optional(),
      lastVisit: z.date().optional(),
    }),
    required: z.object({ user: z.string(), count: z.number().optional() }),
  },
  valibot: {
    app: v.object({
      user: v.optional(v.object({ name: v.string(), roles: v.array(v.string()) })),
      count: v.optional(v.pipe(v.number(), v.integer())),
      email: v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase())),
      lastVisit: v.optional(v.date()),
    }),
    required: v.object({ user: v.string(), count: v.optional(v.number()) }),
  },
}

/** Two deploys over one store: `old` writes without a schema, `app` reads and writes with it. */
function deploys(schema: NonNullable<SessionsOptions['schema']>, options: Partial<SessionsOptions> = {}) {
  const engine = referenceEngine()
  const events: SessionEvent[] = []
  const old = createHarness(engine)
  const app = createHarness<Record<string, any>>(engine, { schema, onEvent: (e) => events.push(e), ...options })
  const raw = async (key: string) => (await engine.read(key, old.clock.now()))?.payload
  return { engine, events, old, app, raw }
}

const failure = async (promise: Promise<unknown> | unknown) =>
  Promise.resolve(promise).then(
    () => null,
    (e: unknown) => e as Error,
  )

for (const [library, { app: schema, required }] of Object.entries(schemas)) {
  describe(`createSessions({ schema }) with ${library}`, () => {
    it('stored data that fails the schema is not handed to the app: an empty session, a session.invalid event with paths only', async () => {
      const { events, old, app, raw } = deploys(schema)
      const jar = new CookieJar()
      const { session } = await old.request(jar, (s) => s.update({ user: { name: 'ada', roles: 'admin-secret' }, count: 2 }))
      const { result, session: loaded } = await app.request(jar, async (s) => Object.fromEntries(await s.entries()))
      expect(result).toEqual({})
      expect(loaded.key).toBe(session.key)
      expect(events).toEqual([{ type: 'session.invalid', store: 'reference', paths: ['user.roles'], action: 'reset' }])
      expect(JSON.stringify(events)).not.toContain('admin-secret')
      // The next write replaces the invalid data, never merges it back.
      await app.request(jar, (s) => s.set('count', 3))
      expect(JSON.parse((await raw(session.key!))!).d).toEqual({ count: 3 })
      expect((await app.request(jar, async (s) => Object.fromEntries(await s.entries()))).result).toEqual({ count: 3 })
    })

    it("onInvalid: 'error' rejects every data call with SessionError('DATA') naming the paths; nothing is saved", async () => {
      const { events, old, app, raw } = deploys(schema, { onInvalid: 'error' })
      const jar = new CookieJar()
      const { session } = await old.request(jar, (s) => s.set('count', 'two'))
      const before = await raw(session.key!)
      const loaded = app.sessions.load(jar.header())
      const error = await failure(loaded.get('count'))
      expect(isSessionError(error, 'DATA')).toBe(true)
      expect(error!.message).toContain('at count')
      expect(error!.message).not.toContain('two')
      await expectSessionError(loaded.set('count', 3), 'DATA')
      expect(events).toEqual([{ type: 'session.invalid', store: 'reference', paths: ['count'], action: 'error' }])
      expect(await raw(session.key!)).toBe(before)
    })

    it('valid stored data reaches the app as the schema outputs it (unknown legacy keys dropped)', async () => {
      const { events, old, app } = deploys(schema)
      const jar = new CookieJar()
      await old.request(jar, (s) => s.update({ count: 1, legacy: true }))
      expect((await app.request(jar, async (s) => Object.fromEntries(await s.entries()))).result).toEqual({ count: 1 })
      expect(events).toEqual([])
    })

    it("a bad set rejects with SessionError('DATA') naming the key and the path; earlier data stays, nothing is persisted", async () => {
      const { app, raw } = deploys(schema)
      const jar = new CookieJar()
      const { session } = await app.request(jar, (s) => s.set('count', 1))
      const before = await raw(session.key!)
      const { result: error, headers } = await app.request(jar, async (s) => {
        const e = await failure(s.set('user', { name: 'ada', roles: [42] }))
        return e
      })
      expect(isSessionError(error, 'DATA')).toBe(true)
      expect(error!.message).toMatch(/"user".*user\.roles\[0\]/)
      expect(error!.message).not.toContain('42')
      expect(headers.setCookie).toEqual([])
      expect(await raw(session.key!)).toBe(before)
      for (const write of [
        (s: any) => s.update({ count: 2, email: 7 }),
        (s: any) => s.modify('count', () => 1.5),
        (s: any) => s.setDefault('email', 7),
        (s: any) => s.set('unknown', 1),
      ]) {
        const { result } = await app.request(jar, async (s) => failure(write(s)))
        expect(isSessionError(result, 'DATA')).toBe(true)
      }
      expect((await app.request(jar, async (s) => Object.fromEntries(await s.entries()))).result).toEqual({ count: 1 })
    })

    it('transforms: the schema’s output is what is stored and what the app reads back, in this request and the next', async () => {
      const { app, raw } = deploys(schema)
      const jar = new CookieJar()
      const { result, session } = await app.request(jar, async (s) => {
        await s.set('email', '  Ada@Example.ORG ')
        return s.get('email')
      })
      expect(result).toBe('ada@example.org')
      expect(JSON.parse((await raw(session.key!))!).d).toEqual({ email: 'ada@example.org' })
      expect((await app.request(jar, (s) => s.get('email'))).result).toBe('ada@example.org')
    })

    it('with the rich serializer a Date is validated and stored natively', async () => {
      const { app } = deploys(schema, { serializer: richSerializer })
      const jar = new CookieJar()
      const when = new Date('2026-12-02T01:00:00Z')
      await app.request(jar, (s) => s.set('lastVisit', when))
      const { result } = await app.request(jar, (s) => s.get('lastVisit'))
      expect(result).toBeInstanceOf(Date)
      expect(result).toEqual(when)
    })

    it('a required key: a new session without it, or a delete of it, is refused at the save; nothing is persisted', async () => {
      const { app, engine } = deploys(required)
      const jar = new CookieJar()
      const session = app.sessions.load(undefined)
      await session.set('count', 1) // the key itself is fine…
      await expectSessionError(session.save(), 'DATA') // …but the data lacks `user`
      expect(engine.size).toBe(0)
      await app.request(jar, (s) => s.update({ user: 'ada', count: 1 }))
      const later = app.sessions.load(jar.header())
      await later.delete('user')
      const error = await failure(app.sessions.commit(later, { final: true }))
      expect(isSessionError(error, 'DATA')).toBe(true)
      expect(error!.message).toContain('at user')
      expect((await app.request(jar, (s) => s.get('user'))).result).toBe('ada')
    })

    it('parallel modify increments with a schema are all kept (results are checked again after a conflict)', async () => {
      const { app } = deploys(schema)
      const jar = new CookieJar()
      await app.request(jar, (s) => s.set('count', 0))
      const header = jar.header()
      const other = createSessions<Record<string, any>>({ engine: app.store, schema, now: app.clock.now })
      const sessions = Array.from({ length: 10 }, (_, i) => (i % 2 ? other : app.sessions).load(header))
      await Promise.all(sessions.map((s) => s.modify('count', (n: number) => n + 1)))
      await Promise.all(sessions.map((s, i) => (i % 2 ? other : app.sessions).commit(s, { final: true })))
      expect((await app.request(jar, (s) => s.get('count'))).result).toBe(10)
    })
  })
}

describe('schemas without per-key schemas, and async validators', () => {
  it('a refinement across keys is checked on the whole data at the save', async () => {
    const schema = z
      .object({ min: z.number().optional(), max: z.number().optional() })
      .refine((d) => (d.min ?? 0) <= (d.max ?? Number.POSITIVE_INFINITY), { path: ['min'] })
    const { app, engine } = deploys(schema)
    const session = app.sessions.load(undefined)
    await session.update({ min: 5, max: 1 })
    const error = await failure(app.sessions.commit(session, { final: true }))
    expect(isSessionError(error, 'DATA')).toBe(true)
    expect(error!.message).toContain('at min')
    expect(engine.size).toBe(0)
    await expectSessionError(app.sessions.load(undefined).set('min', 'x'), 'DATA')
  })

  it('an async validator (zod async refinement) checks writes, loads and saves', async () => {
    const taken = new Set(['root'])
    const schema = z.object({
      user: z
        .string()
        .refine(async (name) => {
          await new Promise((resolve) => setTimeout(resolve, 1))
          return !taken.has(name)
        })
        .optional(),
    })
    const { app, old, events } = deploys(schema)
    const jar = new CookieJar()
    await app.request(jar, (s) => s.set('user', 'ada'))
    expect((await app.request(jar, (s) => s.get('user'))).result).toBe('ada')
    const { result } = await app.request(jar, async (s) => failure(s.set('user', 'root')))
    expect(isSessionError(result, 'DATA')).toBe(true)
    const planted = new CookieJar()
    await old.request(planted, (s) => s.set('user', 'root'))
    expect((await app.request(planted, (s) => s.get('user'))).result).toBeUndefined()
    expect(events).toEqual([{ type: 'session.invalid', store: 'reference', paths: ['user'], action: 'reset' }])
  })

  it('refuses a schema that is not Standard Schema v1, and a bad onInvalid, at start-up', () => {
    for (const options of [{ schema: {} }, { schema: z.object({}), onInvalid: 'drop' }]) {
      let error: unknown
      try {
        createSessions({ engine: referenceEngine(), ...(options as object) })
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG')).toBe(true)
    }
  })
})
