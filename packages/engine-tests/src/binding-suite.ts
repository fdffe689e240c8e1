import { createSessions, type Sessions, type SessionsOptions } from '@sess/core'
import { SessionError, type SessionEngine } from '@sess/core/engine'
import { richSerializer } from '@sess/core/rich'
import { describe, expect, it, onTestFinished } from 'vitest'
import { describeBindingCatalogue } from './binding-catalogue.js'
import { CookieJar } from './cookie-jar.js'
import { referenceEngine } from './reference-engine.js'
import { expectRichValues, richValues } from './rich-values.js'

/** The session data the standard test app uses. */
export type BindingData = {
  count?: number
  user?: string
  items?: string[]
  [key: string]: unknown
}

/** A running test app. */
export interface BindingApp {
  /** Its base URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string
  /** Stops the server. */
  close(): Promise<void>
}

/**
 * Options of {@link describeBinding}.
 *
 * `start(sessions)` serves the **standard test app** on 127.0.0.1 (port 0) with the binding's middleware
 * over `sessions`. Every route answers JSON (`content-type: application/json`) unless said otherwise:
 *
 * | route | behaviour |
 * | --- | --- |
 * | `GET /counter` | `count = (await get('count', 0)) + 1`; `set('count', count)`; → `{ count }` |
 * | `GET /read` | reads only: → `{ count: (await get('count')) ?? null }` |
 * | `GET /noop` | never touches the session: → text `noop` |
 * | `GET /data` | → `Object.fromEntries(await session.entries())` |
 * | `POST /set/:key?value=V` | `set(key, V)` (V is the query string value, a string) → `{ ok: true }` |
 * | `POST /login?user=U&delay=D` | `await has('user')` (loads), waits `D` ms (default 0), `await cycleKey()`, `set('user', U)` → `{ user: U }` |
 * | `POST /increment?delay=D` | `await has('count')` (loads), waits `D` ms, `count = await modify('count', (n = 0) => n + 1)` → `{ count }` |
 * | `POST /push?item=X&delay=D` | `await has('items')` (loads), waits `D` ms, `await modify('items', (list = []) => [...list, X])` → `{ ok: true }` |
 * | `POST /logout` | `await flush()` → `{ ok: true }` |
 * | `GET /throw` | `set('thrown', true)`, then throws an `Error`: the framework's default error handling answers 5xx |
 * | `GET /fail500` | `set('failed', true)`, then responds with status 500 (the handler returns normally) |
 * | `GET /own-cookie` | sets the app's own cookie `app=1; Path=/` through the framework's API, `set('own', true)` → `{ ok: true }` |
 *
 * `delay` is a real `await` between the request's start and its write: without one, in-process engines never
 * interleave parallel requests and exactness would go unproven. Use {@link waitMs} for it.
 *
 * A session error from the commit must reach the framework's error path: status `err.status` (500, or 400
 * for `NOT_FOUND`), never the handler's 2xx.
 */
export interface BindingSuiteOptions {
  /** Serves the standard test app with the binding over `sessions`. Called once per test. */
  /**
   * `settings` are the case's `createSessions` options without the engine (what `sessions` was made with),
   * for an app in another process that makes its own `sessions` over the same store (the Next.js demo).
   */
  start: (sessions: Sessions<BindingData>, settings: Partial<SessionsOptions>) => Promise<BindingApp>
  /** Extra `createSessions` options for every case. */
  sessionOptions?: Partial<SessionsOptions>
  /** Binding-specific cases, registered inside the suite. */
  extra?: (helpers: BindingHelpers) => void
  /**
   * Set, with the reason, when the binding only sees sessions that routes open (a React Router
   * `SessionStorage` has no hook on responses): then `saveEveryRequest` cannot refresh a route that never
   * opens the session, and the suite asserts that such a route sends no cookie instead of a refresh.
   */
  onlyOpenedSessions?: string
}

/** What {@link BindingSuiteOptions.extra} cases get. */
export interface BindingHelpers {
  /** Starts the app over a controllable reference engine; stopped when the test ends. */
  setup(options?: Partial<SessionsOptions>): Promise<BindingSetup>
}

/** One started app, its engine and an HTTP client with cookie jars. */
export interface BindingSetup {
  url: string
  sessions: Sessions<BindingData>
  engine: ControlledEngine
  /** One HTTP request through `fetch`; applies `Set-Cookie` to `jar` when given. */
  request(method: string, path: string, jar?: CookieJar): Promise<BindingResponse>
}

/** What {@link BindingSetup.request} returns. */
export interface BindingResponse {
  status: number
  body: string
  /** The body parsed as JSON, or `undefined`. */
  json: unknown
  setCookie: string[]
  headers: Headers
}

/** A reference engine whose writes can be made to fail or to wait. */
export interface ControlledEngine extends SessionEngine {
  /** While `true`, `create` and `update` reject with `SessionError('ENGINE')`. */
  failWrites: boolean
  /** While `true`, `read` rejects with a plain `Error` (a driver failure), which core must turn into `SessionError('ENGINE')`. */
  failReads: boolean
  /** How many records are stored (expired ones included until purged). */
  readonly size: number
  /** How many `read` calls the engine has answered. */
  readonly reads: number
  /** Makes the next `update` wait: `entered` resolves when it is waiting; `release()` lets it go on. */
  holdNextUpdate(): { entered: Promise<void>; release(): void }
}

/** A {@link referenceEngine} with failure and delay switches, for binding tests. */
export function controlledEngine(): ControlledEngine {
  const inner = referenceEngine()
  let hold: { enter(): void; gate: Promise<void> } | null = null
  let reads = 0
  const failure = (action: string) => new SessionError('ENGINE', 'controlled', `${action} failed: the test switched writes off`)
  const engine: ControlledEngine = {
    name: 'controlled',
    capabilities: inner.capabilities,
    failWrites: false,
    failReads: false,
    get size() {
      return inner.size
    },
    get reads() {
      return reads
    },
    async read(key, now) {
      reads++
      if (engine.failReads) throw new Error('read failed: the test switched reads off')
      return inner.read(key, now)
    },
    async create(key, record) {
      if (engine.failWrites) throw failure('create')
      return inner.create(key, record)
    },
    async update(key, record, ifVersion) {
      if (engine.failWrites) throw failure('update')
      if (hold) {
        const current = hold
        hold = null
        current.enter()
        await current.gate
      }
      return inner.update(key, record, ifVersion)
    },
    destroy: (key) => inner.destroy(key),
    touch: (key, expiresAt) => inner.touch!(key, expiresAt),
    purgeExpired: (now) => inner.purgeExpired!(now),
    listUser: (userId, now) => inner.listUser(userId, now),
    destroyUser: (userId, options) => inner.destroyUser(userId, options),
    stats: (now) => inner.stats(now),
    holdNextUpdate() {
      let enter!: () => void
      let release!: () => void
      const entered = new Promise<void>((resolve) => (enter = resolve))
      const gate = new Promise<void>((resolve) => (release = resolve))
      hold = { enter, gate }
      return { entered, release }
    },
  }
  return engine
}

/** The `delay` query parameter of the standard app's routes, in ms (0 when absent or not a number). */
export function delayOf(query: string | null | undefined): number {
  const ms = Number(query ?? 0)
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, 5000) : 0
}

/** A real pause of `ms` milliseconds (the standard app's `delay`). */
export function waitMs(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}

/**
 * The binding conformance suite: Django's middleware behaviour through real HTTP (`fetch` against a
 * listening server on 127.0.0.1). Engine-independent: it makes its own `createSessions` over a
 * {@link controlledEngine}. Run by every framework binding (express, koa, hono).
 */
export function describeBinding(name: string, options: BindingSuiteOptions): void {
  const setup = async (extra: Partial<SessionsOptions> = {}): Promise<BindingSetup> => {
    const engine = controlledEngine()
    const settings = { ...options.sessionOptions, ...extra }
    const sessions = createSessions<BindingData>({ ...settings, engine })
    const app = await options.start(sessions, settings)
    onTestFinished(async () => {
      await app.close()
      await sessions.dispose()
    })
    const url = app.url.replace(/\/$/, '')
    return {
      url,
      sessions,
      engine,
      async request(method, path, jar) {
        const headers: Record<string, string> = {}
        const cookie = jar?.header()
        if (cookie !== undefined) headers.cookie = cookie
        const response = await fetch(url + path, { method, headers, redirect: 'manual' })
        const body = await response.text()
        let json: unknown
        try {
          json = JSON.parse(body)
        } catch {
          json = undefined
        }
        const setCookie = response.headers.getSetCookie()
        jar?.apply(setCookie)
        return { status: response.status, body, json, setCookie, headers: response.headers }
      },
    }
  }
  const cookieName = options.sessionOptions?.cookie?.name ?? 'sessionid'
  const sessionCookies = (r: BindingResponse) => r.setCookie.filter((c) => c.startsWith(`${cookieName}=`))
  const varyFields = (r: BindingResponse) =>
    (r.headers.get('vary') ?? '')
      .toLowerCase()
      .split(',')
      .map((f) => f.trim())

  describe(`binding conformance: ${name}`, () => {
    it('counts across requests under one key, with one session cookie per write', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      const first = await request('GET', '/counter', jar)
      expect(first.status).toBe(200)
      expect(first.json).toEqual({ count: 1 })
      expect(sessionCookies(first)).toHaveLength(1)
      const key = jar.get(cookieName)
      expect(key).toMatch(/^[a-z0-9]{32}$/)
      expect((await request('GET', '/counter', jar)).json).toEqual({ count: 2 })
      expect((await request('GET', '/counter', jar)).json).toEqual({ count: 3 })
      expect(jar.get(cookieName)).toBe(key)
      expect((await request('GET', '/read', jar)).json).toEqual({ count: 3 })
    })

    it('login cycles the key: the data is kept under a new key and the old key is dead', async () => {
      const { request, sessions } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const before = jar.clone()
      const oldKey = jar.get(cookieName)!
      const login = await request('POST', '/login?user=ada', jar)
      expect(login.status).toBe(200)
      expect(login.json).toEqual({ user: 'ada' })
      const newKey = jar.get(cookieName)!
      expect(newKey).toMatch(/^[a-z0-9]{32}$/)
      expect(newKey).not.toBe(oldKey)
      expect(await sessions.exists(oldKey)).toBe(false)
      expect(await sessions.exists(newKey)).toBe(true)
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 1, user: 'ada' })
      // The planted / stolen pre-login cookie gets nothing and is told to go away.
      const replay = await request('GET', '/data', before)
      expect(replay.json).toEqual({})
      expect(before.get(cookieName)).toBeUndefined()
    })

    it('logout flushes: the cookie is expired, the old key is dead, a replayed cookie is anonymous', async () => {
      const { request, sessions } = await setup()
      const jar = new CookieJar()
      await request('POST', '/login?user=ada', jar)
      const stolen = jar.clone()
      const key = jar.get(cookieName)!
      const logout = await request('POST', '/logout', jar)
      expect(logout.status).toBe(200)
      const expired = sessionCookies(logout)
      expect(expired).toHaveLength(1)
      expect(expired[0]).toMatch(/Max-Age=0/i)
      expect(jar.get(cookieName)).toBeUndefined()
      expect(varyFields(logout)).toContain('cookie')
      expect(await sessions.exists(key)).toBe(false)
      expect((await request('GET', '/data', stolen)).json).toEqual({})
      expect((await request('GET', '/data', jar)).json).toEqual({})
    })

    it('a handler that throws answers 5xx, saves nothing and leaves the session intact', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const key = jar.get(cookieName)
      const thrown = await request('GET', '/throw', jar)
      expect(thrown.status).toBeGreaterThanOrEqual(500)
      expect(sessionCookies(thrown)).toEqual([])
      expect(jar.get(cookieName)).toBe(key)
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 1 })
    })

    it('a handler that throws on a new session sets no cookie and stores nothing', async () => {
      const { request, engine } = await setup()
      const jar = new CookieJar()
      const thrown = await request('GET', '/throw', jar)
      expect(thrown.status).toBeGreaterThanOrEqual(500)
      expect(sessionCookies(thrown)).toEqual([])
      expect(engine.size).toBe(0)
    })

    it("the app's own Set-Cookie and the session's both arrive", async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      const response = await request('GET', '/own-cookie', jar)
      expect(response.status).toBe(200)
      expect(response.setCookie.some((c) => c.startsWith('app=1'))).toBe(true)
      expect(sessionCookies(response)).toHaveLength(1)
      expect(jar.get('app')).toBe('1')
      expect((await request('GET', '/data', jar)).json).toEqual({ own: true })
    })

    it('a 5xx response skips the save', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const failed = await request('GET', '/fail500', jar)
      expect(failed.status).toBe(500)
      expect(sessionCookies(failed)).toEqual([])
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 1 })
      const fresh = new CookieJar()
      expect(sessionCookies(await request('GET', '/fail500', fresh))).toEqual([])
      expect(fresh.get(cookieName)).toBeUndefined()
    })

    it('varies by Cookie when the session was read, not on a request that never touched it', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const read = await request('GET', '/read', jar)
      expect(read.json).toEqual({ count: 1 })
      expect(varyFields(read)).toContain('cookie')
      expect(read.setCookie).toEqual([])
      const anonymousRead = await request('GET', '/read', new CookieJar())
      expect(varyFields(anonymousRead)).toContain('cookie')
      expect(anonymousRead.setCookie).toEqual([])
      const noop = await request('GET', '/noop', jar)
      expect(noop.status).toBe(200)
      expect(noop.body).toBe('noop')
      expect(varyFields(noop)).not.toContain('cookie')
    })

    it('a request that never touches the session sends no Set-Cookie, with or without a cookie', async () => {
      const { request, engine } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      engine.failWrites = true // an untouched request must not reach the engine at all
      for (const j of [jar, new CookieJar()]) {
        const noop = await request('GET', '/noop', j)
        expect(noop.status).toBe(200)
        expect(noop.setCookie).toEqual([])
      }
    })

    it('an engine failure on create answers 5xx and sets no session cookie', async () => {
      const { request, engine } = await setup()
      engine.failWrites = true
      const jar = new CookieJar()
      const response = await request('GET', '/counter', jar)
      expect(response.status).toBeGreaterThanOrEqual(500)
      expect(response.status).toBeLessThan(600)
      expect(sessionCookies(response)).toEqual([])
      expect(jar.get(cookieName)).toBeUndefined()
    })

    it('an engine failure on update answers 5xx, never the handler’s 200, and the stored data stays', async () => {
      const { request, engine } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      engine.failWrites = true
      const response = await request('GET', '/counter', jar)
      expect(response.status).toBeGreaterThanOrEqual(500)
      expect(response.status).toBeLessThan(600)
      expect(response.json).not.toEqual({ count: 2 })
      expect(sessionCookies(response)).toEqual([])
      engine.failWrites = false
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 1 })
      expect((await request('GET', '/counter', jar)).json).toEqual({ count: 2 })
    })

    it('a save racing a logout answers 400 and does not resurrect the session', async () => {
      const { request, engine, sessions } = await setup()
      const jar = new CookieJar()
      await request('POST', '/login?user=ada', jar)
      const key = jar.get(cookieName)!
      const held = engine.holdNextUpdate()
      const slow = request('POST', '/set/late?value=1', jar.clone())
      const first = await Promise.race([held.entered.then(() => 'held' as const), slow])
      expect(first, 'the request answered before its save reached the engine').toBe('held')
      const logout = await request('POST', '/logout', jar)
      expect(logout.status).toBe(200)
      held.release()
      const response = await slow
      expect(response.status).toBe(400)
      expect(sessionCookies(response)).toEqual([])
      expect(await sessions.exists(key)).toBe(false)
    })

    it('50 parallel requests setting different keys all survive (no lost updates)', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const key = jar.get(cookieName)
      const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => request('POST', `/set/k${i}?value=v${i}`, jar.clone())))
      for (const response of responses) expect(response.status).toBe(200)
      const data = (await request('GET', '/data', jar)).json as Record<string, unknown>
      const expected: Record<string, unknown> = { count: 1 }
      for (let i = 0; i < 50; i++) expected[`k${i}`] = `v${i}`
      expect(data).toEqual(expected)
      expect(jar.get(cookieName)).toBe(key)
    })

    it('50 parallel increments through modify, each awaiting 5 ms before its write, end at exactly +50', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const responses = await Promise.all(Array.from({ length: 50 }, () => request('POST', '/increment?delay=5', jar.clone())))
      for (const response of responses) expect(response.status).toBe(200)
      expect((await request('GET', '/read', jar)).json).toEqual({ count: 51 })
    })

    it('20 parallel pushes onto one array, each awaiting 5 ms before its write, keep all 20', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => request('POST', `/push?item=i${i}&delay=5`, jar.clone())))
      for (const response of responses) expect(response.status).toBe(200)
      const { items } = (await request('GET', '/data', jar)).json as { items: string[] }
      expect([...items].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `i${i}`).sort())
    })

    it('a login that cycles the key keeps a save acknowledged meanwhile under the old key', async () => {
      const { request, engine, sessions } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const oldKey = jar.get(cookieName)!
      const before = engine.reads
      const login = request('POST', '/login?user=ada&delay=500', jar)
      for (let i = 0; i < 400 && engine.reads === before; i++) await waitMs(5) // until the login has loaded
      expect(engine.reads, 'the login request never loaded the session').toBeGreaterThan(before)
      const cart = await request('POST', '/set/cart?value=book', jar.clone())
      expect(cart.status).toBe(200)
      expect((await login).status).toBe(200)
      const newKey = jar.get(cookieName)!
      expect(newKey).not.toBe(oldKey)
      expect(await sessions.exists(oldKey)).toBe(false)
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 1, cart: 'book', user: 'ada' })
    })

    it('rich values (richSerializer) survive requests through the binding that load and save the session', async () => {
      const { request, sessions } = await setup({ serializer: richSerializer })
      const seeded = sessions.load(undefined)
      await seeded.update(richValues())
      const jar = new CookieJar()
      jar.apply((await sessions.commit(seeded)).setCookie)
      expect((await request('GET', '/counter', jar)).json).toEqual({ count: 1 })
      expect((await request('POST', '/set/note?value=hi', jar)).status).toBe(200)
      expect((await request('GET', '/read', jar)).json).toEqual({ count: 1 })
      const { count, note, ...rest } = Object.fromEntries(await sessions.load(jar.header()).entries())
      expect([count, note]).toEqual([1, 'hi'])
      expectRichValues(rest)
    })

    describeBindingCatalogue(setup, cookieName, options.onlyOpenedSessions)

    options.extra?.({ setup })
  })
}
