import type { SessionsOptions } from '@sess/core'
import { isSessionError, type SessionEngine } from '@sess/core/engine'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { CookieJar } from './cookie-jar.js'
import { expectSessionError } from './engine-suite.js'
import type { Harness } from './harness.js'

type Data = Record<string, unknown>

/** What the catalogue cases need from {@link describeStore}. */
export interface CatalogueHelpers {
  harness: (options?: Partial<SessionsOptions>) => Promise<Harness<Data>>
  /** A harness over the store wrapped by `wrap` (an engine's methods replaced, e.g. to fail or lag); `null` for cookie stores. */
  harnessOver: (wrap: (engine: SessionEngine) => SessionEngine, options?: Partial<SessionsOptions>) => Promise<Harness<Data> | null>
  cookieName: string
}

/** Calls that write or delete: none of them may happen for a visitor who only presents a cookie. */
const WRITES = ['create', 'update', 'destroy', 'touch']
const writes = (h: Harness<Data>) => WRITES.reduce((n, m) => n + (h.counter.calls[m] ?? 0), 0)

/**
 * The threat catalogue (SECURITY.md, research §2) cases that hold for every store, named by their IDs so
 * SECURITY.md can point at them.
 */
export function describeStoreCatalogue({ harness, harnessOver, cookieName }: CatalogueHelpers): void {
  const sessionCookies = (setCookie: readonly string[]) => setCookie.filter((c) => c.startsWith(`${cookieName}=`))

  describe('catalogue', () => {
    it('A1: a well-formed key the server never issued is not adopted, not echoed, and causes no write', async () => {
      const h = await harness()
      const planted = 'p'.repeat(32)
      const session = h.sessions.load(`${cookieName}=${planted}`)
      expect(await session.get('user')).toBeUndefined()
      const headers = await h.sessions.commit(session)
      expect(writes(h)).toBe(0)
      expect(headers.setCookie.join('\n')).not.toContain(planted)
      expect(session.key).not.toBe(planted)
    })

    it('A2: an empty, short, huge, NUL, %00, spaced or non-ASCII session cookie never reaches the store', async () => {
      const h = await harness()
      for (const value of [
        '',
        'a'.repeat(7),
        'a'.repeat(10_000),
        'a\u0000'.repeat(16),
        '%00'.repeat(11),
        ' '.repeat(32),
        'é'.repeat(32),
        'a b'.repeat(11),
      ]) {
        h.counter.reset()
        const session = h.sessions.load(`${cookieName}=${value}`)
        expect(await session.get('user')).toBeUndefined()
        await h.sessions.commit(session)
        expect(h.counter.total(), JSON.stringify(value.slice(0, 12))).toBe(0)
      }
    })

    it('A5: a NBSP-prefixed name is not the session cookie; __proto__, hasOwnProperty and constructor cookies change nothing', async () => {
      const h = await harness()
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('user', 'ada'))
      const value = jar.get(cookieName)!
      const shadow = h.sessions.load(`\u00a0${cookieName}=${value}`)
      expect(await shadow.get('user')).toBeUndefined()
      for (const header of [
        `__proto__=x; hasOwnProperty=1; constructor=2; ${cookieName}=${value}`,
        `${cookieName}=${value}; __proto__=${value}; toString=1`,
        `${cookieName}="${value}"`,
        `pad=${'x'.repeat(8000)}; ${cookieName}=${value}`,
      ]) {
        const session = h.sessions.load(header)
        expect(await session.get('user'), header.slice(0, 40)).toBe('ada')
      }
      expect(({} as Record<string, unknown>).x).toBeUndefined()
    })

    it('A6: a stored record holding {"__proto__":{"admin":true}} pollutes nothing and keeps the session methods', async () => {
      let rewritten = 0
      const h = await harnessOver((engine) => ({
        ...bind(engine),
        read: async (key, now) => {
          const r = await engine.read(key, now)
          if (r === null || !r.payload.includes('"marker":1')) return r
          rewritten++
          return { ...r, payload: r.payload.replace('"marker":1', '"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}') }
        },
      }))
      if (!h) return
      const jar = new CookieJar()
      await h.request(jar, (s) => s.update({ marker: 1, user: 'ada' }))
      const { result } = await h.request(jar, async (s) => ({
        user: await s.get('user'),
        admin: await s.get('admin'),
        keys: (await s.keys()).sort(),
        methods: typeof s.get === 'function' && typeof s.set === 'function',
      }))
      expect(rewritten).toBeGreaterThan(0)
      expect(result.user).toBe('ada')
      expect(result.admin).toBeUndefined()
      expect(result.methods).toBe(true)
      expect(result.keys).not.toContain('admin')
      expect(({} as Record<string, unknown>).admin).toBeUndefined()
      expect((Object.prototype as Record<string, unknown>).admin).toBeUndefined()
    })

    it('A12: every key the store issues has the key grammar (no custom generator can weaken it)', async () => {
      const h = await harness()
      if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
      for (let i = 0; i < 20; i++) {
        const { session } = await h.request(new CookieJar(), (s) => s.set('i', i))
        expect(session.key).toMatch(/^[a-z0-9]{32}$/)
      }
    })

    it('L4: flush() without a session cookie sends no Set-Cookie and calls no write', async () => {
      const h = await harness()
      const { headers } = await h.request(new CookieJar(), (s) => s.flush())
      expect(sessionCookies(headers.setCookie)).toEqual([])
      expect(writes(h)).toBe(0)
    })

    it('L4: flush() with a custom Domain and Path expires the cookie with the same Domain and Path', async () => {
      const h = await harness({ cookie: { name: cookieName, domain: 'example.test', path: '/app' } })
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('user', 'ada'))
      const old = jar.clone()
      const { headers } = await h.request(jar, (s) => s.flush())
      const deletion = sessionCookies(headers.setCookie)
      expect(deletion).toHaveLength(1)
      expect(deletion[0]).toMatch(new RegExp(`^${cookieName}=;`))
      expect(deletion[0]).toMatch(/; Domain=example\.test(;|$)/i)
      expect(deletion[0]).toMatch(/; Path=\/app(;|$)/i)
      expect(deletion[0]).toMatch(/Max-Age=0/)
      expect(deletion[0]).toMatch(/Expires=Thu, 01 Jan 1970 00:00:00 GMT/)
      expect(headers.vary).toBe(true)
      if (h.store.revocable) expect((await h.request(old, (s) => s.get('user'))).result).toBeUndefined()
    })

    it('L7: setExpiry(-10) saves a session that is already expired', async () => {
      const h = await harness()
      const jar = new CookieJar()
      await h.request(jar, async (s) => {
        await s.set('user', 'ada')
        await s.setExpiry(-10)
      })
      expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBeUndefined()
    })

    it('L8: clear() alone saves an empty session under the same key and re-sends the cookie', async () => {
      const h = await harness()
      const jar = new CookieJar()
      const { session: first } = await h.request(jar, (s) => s.set('user', 'ada'))
      const { session, headers } = await h.request(jar, (s) => s.clear())
      expect(sessionCookies(headers.setCookie)).toHaveLength(1)
      if (h.store.revocable) expect(session.key).toBe(first.key)
      const { result } = await h.request(jar, (s) => s.entries())
      expect(result).toEqual([])
    })

    it('C4: a save of the old key after another request cycled it fails with NOT_FOUND and does not recreate it', async () => {
      const h = await harness()
      if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
      const jar = new CookieJar()
      const { session: original } = await h.request(jar, (s) => s.set('user', 'ada'))
      const slow = h.sessions.load(jar.header())
      await slow.get('user')
      const { session: cycled } = await h.request(jar, (s) => s.cycleKey())
      await slow.set('late', true)
      await expectSessionError(Promise.resolve(h.sessions.commit(slow)), 'NOT_FOUND')
      expect(await h.sessions.exists(original.key!)).toBe(false)
      expect(await h.sessions.exists(cycled.key!)).toBe(true)
    })

    it('C5: 20 concurrent first requests without a cookie get 20 independent sessions', async () => {
      const h = await harness()
      const jars = Array.from({ length: 20 }, () => new CookieJar())
      await Promise.all(jars.map((jar, i) => h.request(jar, (s) => s.set('i', i))))
      const values = jars.map((jar) => jar.get(cookieName))
      expect(new Set(values).size).toBe(20)
      const back = await Promise.all(jars.map(async (jar) => (await h.request(jar, (s) => s.entries())).result))
      expect(back).toEqual(jars.map((_, i) => [['i', i]]))
    })

    it('C7: a new key that collides with a live session is drawn again; the live session is never overwritten', async () => {
      const h = await harness()
      if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
      const real = crypto.getRandomValues.bind(crypto)
      const pattern = real(new Uint8Array(48)).map((b) => b % 252) // bytes that all pass the rejection step: one fixed key
      const fixed = <T extends ArrayBufferView | null>(array: T): T => {
        if (array instanceof Uint8Array) array.set(pattern.subarray(0, array.length))
        return array
      }
      const spy = vi.spyOn(crypto, 'getRandomValues')
      onTestFinished(() => spy.mockRestore())
      spy.mockImplementation(fixed as typeof crypto.getRandomValues)
      const owner = new CookieJar()
      const { session: first } = await h.request(owner, (s) => s.set('user', 'owner'))
      let calls = 0
      spy.mockImplementation(((array: Uint8Array) => (calls++ === 0 ? fixed(array) : real(array))) as typeof crypto.getRandomValues)
      const { session: second } = await h.request(new CookieJar(), (s) => s.set('user', 'second'))
      expect(second.key).not.toBe(first.key)
      expect((await h.request(owner, (s) => s.get('user'))).result).toBe('owner')
      // A generator that only ever repeats: bounded retries, then a typed error and still no overwrite.
      spy.mockImplementation(fixed as typeof crypto.getRandomValues)
      const stuck = h.sessions.load(undefined)
      await stuck.set('user', 'intruder')
      const error = await Promise.resolve(h.sessions.commit(stuck)).then(
        () => null,
        (e: unknown) => e,
      )
      expect(isSessionError(error), String(error)).toBe(true)
      spy.mockRestore()
      expect((await h.request(owner, (s) => s.get('user'))).result).toBe('owner')
    })

    it('LD4: 500 requests with random unknown keys create nothing and write nothing', async () => {
      const h = await harness()
      for (let i = 0; i < 500; i++) {
        const key = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('')
        const session = h.sessions.load(`${cookieName}=${key}`)
        await session.get('user')
        await h.sessions.commit(session)
      }
      expect(writes(h)).toBe(0)
    })

    it('F1: an engine read that throws synchronously is handled like a rejected one: SessionError(ENGINE), no write', async () => {
      const h = await harnessOver((engine) => ({
        ...bind(engine),
        read: () => {
          throw new Error('disk on fire')
        },
      }))
      if (!h) return
      const session = h.sessions.load(`${cookieName}=${'k'.repeat(32)}`)
      await expectSessionError(session.get('user'), 'ENGINE')
      expect(writes(h)).toBe(0)
    })

    it('F1: a failing engine read fails the request with SessionError(ENGINE): no fresh session, no write', async () => {
      const h = await harnessOver((engine) => ({ ...bind(engine), read: async () => Promise.reject(new Error('disk on fire')) }))
      if (!h) return
      const jar = new CookieJar()
      jar.apply([`${cookieName}=${'k'.repeat(32)}; Path=/`])
      const session = h.sessions.load(jar.header())
      await expectSessionError(session.get('user'), 'ENGINE')
      await expectSessionError(session.set('user', 'ada'), 'ENGINE')
      expect(writes(h)).toBe(0)
    })

    it('F13: a record the engine returns past its expiry (TTL lag) is treated as absent', async () => {
      const h = await harnessOver((engine) => ({ ...bind(engine), read: (key) => engine.read(key, new Date(0)) }), { maxAge: 60 })
      if (!h) return
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('user', 'ada'))
      h.clock.advance(61)
      const { result, session } = await h.request(jar.clone(), (s) => s.get('user'))
      expect(result).toBeUndefined()
      expect(session.key).toBeNull()
    })
  })
}

/** An engine's methods bound to it, so they can be spread into a wrapper. */
function bind(engine: SessionEngine): SessionEngine {
  const out: Record<string, unknown> = { name: engine.name, capabilities: engine.capabilities }
  for (const method of [
    'read',
    'create',
    'update',
    'destroy',
    'touch',
    'purgeExpired',
    'listUser',
    'destroyUser',
    'stats',
    'dispose',
  ] as const) {
    const fn = engine[method] as ((...a: unknown[]) => unknown) | undefined
    if (typeof fn === 'function') out[method] = fn.bind(engine)
  }
  return out as unknown as SessionEngine
}
