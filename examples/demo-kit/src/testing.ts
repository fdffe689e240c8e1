/**
 * @module @sess-examples/demo-kit/testing
 * The demos' shared test suite: every endpoint of the JSON API through real HTTP against a real SQLite file,
 * a restart, and a failing store. Each demo's `app.test.ts` calls {@link describeDemoApi} with its own
 * `startServer`, then adds its framework's own cases.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSessions, type Sessions } from '@sess/core'
import { brokenEngine } from './broken-engine.js'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest'
import { ANONYMOUS, DemoClient, KeyWatch } from './client.js'
import type { DemoData, SessionView } from './data.js'
import { describeDevices } from './testing-devices.js'
import { serveDemo, type DemoListener, type RunningDemo, type StartOptions } from './server.js'

export { ANONYMOUS, DemoClient, KeyWatch, type DemoClientOptions, type DemoResponse } from './client.js'

/** What the suite uses of a running demo. */
export type DemoUnderTestRunning = Pick<RunningDemo, 'url' | 'sessions' | 'close'>

/** The demo under test. */
export type DemoUnderTest = {
  /** The demo's `startServer` (over SQLite); `sessions` must see the same database. */
  start(options: StartOptions): Promise<DemoUnderTestRunning>
  /** Whether the device list shows the peer's address (`127.0.0.1` here). Default `true`; Next.js is not told it: `false`. */
  peerAddress?: boolean
} & (
  | {
      /** The demo's listener, to serve it over a failing store in this process. */
      listen: DemoListener
    }
  | {
      /** For a demo that runs in another process (Next.js): serves it over `sessions` (a failing store). */
      serve(sessions: Sessions<DemoData>): Promise<Pick<RunningDemo, 'url' | 'close'>>
    }
)

const PAGE_IDS = [
  'user',
  'handle',
  'expires',
  'browser-close',
  'data',
  'login-name',
  'login',
  'logout',
  'counter',
  'visit',
  'last-visit',
  'expiry0',
  'clear',
  'cycle',
  'devices-note',
  'devices',
  'logout-everywhere',
]

/**
 * Describes the demo's JSON API contract (the one the READMEs document), through real HTTP.
 * @param name - the framework, e.g. `koa`: names the test groups and the temporary directory.
 */
export function describeDemoApi(name: string, demoUnderTest: DemoUnderTest): void {
  let dir = ''
  let dbCount = 0
  let watch = new KeyWatch()

  /** A visitor of `url` whose cookies and bodies this test's leak check sees. */
  const newVisitor = (url: string, userAgent?: string) => new DemoClient(url, { watch, ...(userAgent === undefined ? {} : { userAgent }) })

  /** A fresh demo on its own SQLite file, closed when the test ends. */
  async function demo(dbPath = join(dir, `sessions-${++dbCount}.sqlite3`)): Promise<DemoUnderTestRunning> {
    const running = await demoUnderTest.start({ port: 0, host: '127.0.0.1', dbPath })
    onTestFinished(() => running.close())
    return running
  }

  describe(`the ${name} demo over SQLite, through real HTTP`, () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), `sess-${name}-demo-`))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    beforeEach(() => {
      watch = new KeyWatch()
    })
    // The session key is a secret: no body (page, /api/session, /api/devices, errors) ever holds one.
    afterEach(() => {
      expect(watch.leaks()).toEqual([])
    })

    it('serves the page with every control at /', async () => {
      const client = newVisitor((await demo()).url)
      const response = await client.call('GET', '/')
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(response.text).toContain('<button id="login">')
      for (const id of PAGE_IDS) expect(response.text).toContain(`id="${id}"`)
      expect(response.setCookie).toEqual([])
    })

    it('GET /api/session of a new visitor: no handle, no user, no data, no cookie for looking, Vary: Cookie', async () => {
      const client = newVisitor((await demo()).url)
      const response = await client.call('GET', '/api/session')
      expect(response.json).toEqual(ANONYMOUS)
      expect(response.setCookie).toEqual([])
      expect(response.vary).toMatch(/cookie/i)
    })

    it('POST /api/counter is atomic: 20 parallel presses on one session count exactly 20', async () => {
      const running = await demo()
      const client = newVisitor(running.url)
      expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 1 })
      const counts = await Promise.all(Array.from({ length: 20 }, () => client.call('POST', '/api/counter')))
      expect(counts.map((r) => r.status)).toEqual(Array(20).fill(200))
      // Every press got the value it stored: 2 … 21, each once.
      expect(counts.map((r) => (r.json as { count: number }).count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 2),
      )
      expect((await client.session()).data).toEqual({ count: 21 })
    })

    it('POST /api/counter counts under one key that the cookie carries; GET /api/session shows its handle, never the key', async () => {
      const running = await demo()
      const client = newVisitor(running.url)
      const first = await client.call('POST', '/api/counter')
      expect(first.json).toEqual({ count: 1 })
      expect(first.setCookie[0]).toMatch(/^sessionid=[a-z0-9]{32}; Max-Age=\d+; .*Path=\/; HttpOnly; SameSite=Lax$/)
      expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 2 })
      const response = await client.call('GET', '/api/session')
      const view = response.json as SessionView
      expect(Object.keys(view).sort()).toEqual(['data', 'expireAtBrowserClose', 'expiresAt', 'handle', 'user'])
      expect(view.handle).toMatch(/^[A-Za-z0-9_-]{16}$/)
      expect(view.handle).toBe(client.handle)
      expect(response.text).not.toContain(client.key!)
      expect(view).toMatchObject({ user: null, data: { count: 2 } })
      const expires = Date.parse(view.expiresAt!)
      expect(expires).toBeGreaterThan(Date.now() + 13 * 86_400_000)
      expect(expires).toBeLessThanOrEqual(Date.now() + 14 * 86_400_000 + 1000)
      expect(await running.sessions.exists(client.key!)).toBe(true)
      expect(watch.seen.keys).toBeGreaterThan(0) // the leak check after each test has keys to look for
    })

    it('POST /api/visit keeps the last visit as a Date (the rich serializer) across requests', async () => {
      const client = newVisitor((await demo()).url)
      const first = await client.call('POST', '/api/visit')
      expect(first.status).toBe(200)
      expect((first.json as { previous: unknown }).previous).toBeNull()
      const second = await client.call('POST', '/api/visit')
      expect((second.json as { previous: unknown }).previous).toBe((first.json as { now: string }).now)
      const view = (await client.call('GET', '/api/session')).json as SessionView
      expect(view.data).toEqual({ lastVisit: (second.json as { now: string }).now })
    })

    it('counts, logs in with a new key (the old one dies), logs out', async () => {
      const running = await demo()
      const visitor = newVisitor(running.url)
      expect((await visitor.call('POST', '/api/counter')).json).toEqual({ count: 1 })
      expect((await visitor.call('POST', '/api/counter')).json).toEqual({ count: 2 })
      const anonymousKey = visitor.key!
      expect(anonymousKey).toMatch(/^[a-z0-9]{32}$/)
      const cookie = (await visitor.call('POST', '/api/counter')).setCookie[0]!
      expect(cookie).toMatch(/; HttpOnly/i)
      expect(cookie).toMatch(/; SameSite=Lax/i)
      expect(cookie).toMatch(/; Path=\//i)

      expect((await visitor.call('POST', '/api/login', { user: ' ada ' })).json).toEqual({ user: 'ada' })
      expect(visitor.key).not.toBe(anonymousKey)
      expect(await running.sessions.exists(anonymousKey)).toBe(false)
      const view = await visitor.session()
      expect(view.handle).toBe(visitor.handle)
      expect(view.user).toBe('ada')
      expect(view.data).toEqual({ count: 3 })
      expect(Date.parse(view.expiresAt!)).toBeGreaterThan(Date.now() + 13 * 86_400_000)

      const loggedInKey = visitor.key!
      const logout = await visitor.call('POST', '/api/logout')
      expect(logout.json).toEqual({ ok: true })
      expect(logout.setCookie).toEqual([expect.stringMatching(/^sessionid=;.*Max-Age=0/i)])
      expect(visitor.key).toBeUndefined()
      expect(await running.sessions.exists(loggedInKey)).toBe(false)
      expect(await visitor.session()).toEqual(ANONYMOUS)
    })

    it('login cycles the key and keeps the data; the pre-login cookie is dead', async () => {
      const running = await demo()
      const client = newVisitor(running.url)
      await client.call('POST', '/api/counter')
      const before = client.clone()
      const oldKey = client.key!
      const login = await client.call('POST', '/api/login', { user: '  ada  ' })
      expect(login.status).toBe(200)
      expect(login.json).toEqual({ user: 'ada' })
      expect(client.key).not.toBe(oldKey)
      const view = await client.session()
      expect(view.handle).toBe(client.handle)
      expect(view.handle).not.toBe(before.handle) // the handle follows the key
      expect(view).toMatchObject({ user: 'ada', data: { count: 1 } })
      expect(await running.sessions.exists(oldKey)).toBe(false)
      expect(await before.session()).toEqual(ANONYMOUS)
    })

    it('a login survives a restart of the server (sessions live in SQLite)', async () => {
      const dbPath = join(dir, 'restart.sqlite3')
      const first = await demoUnderTest.start({ port: 0, host: '127.0.0.1', dbPath })
      const client = newVisitor(first.url)
      await client.call('POST', '/api/login', { user: 'grace' })
      await first.close()
      const again = newVisitor((await demo(dbPath)).url)
      again.cookies.set('sessionid', client.key!)
      expect(await again.session()).toMatchObject({ user: 'grace', handle: client.handle, data: {} })
    })

    it('logout flushes: the cookie is expired and the old cookie is anonymous', async () => {
      const running = await demo()
      const client = newVisitor(running.url)
      await client.call('POST', '/api/login', { user: 'ada' })
      const stolen = client.clone()
      const key = client.key!
      const logout = await client.call('POST', '/api/logout')
      expect(logout.json).toEqual({ ok: true })
      expect(logout.setCookie).toHaveLength(1)
      expect(logout.setCookie[0]).toMatch(/^sessionid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT/)
      expect(client.key).toBeUndefined()
      expect(await running.sessions.exists(key)).toBe(false)
      expect(await stolen.session()).toEqual(ANONYMOUS)
    })

    it('set stores any JSON value; clear keeps the key; cycle moves the data to a new key', async () => {
      const visitor = newVisitor((await demo()).url)
      expect((await visitor.call('POST', '/api/set', { key: 'theme', value: { dark: true, sizes: [1, 2] } })).json).toEqual({ ok: true })
      expect((await visitor.session()).data).toEqual({ theme: { dark: true, sizes: [1, 2] } })
      const key = visitor.key
      await visitor.call('POST', '/api/cycle')
      expect(visitor.key).not.toBe(key)
      expect((await visitor.session()).data).toEqual({ theme: { dark: true, sizes: [1, 2] } })
      const cycled = visitor.key
      await visitor.call('POST', '/api/clear')
      const view = await visitor.session()
      expect(view.data).toEqual({})
      expect(view.handle).toBe(visitor.handle)
      expect(visitor.key).toBe(cycled)
    })

    it('POST /api/set stores any JSON value under a key, __proto__ included', async () => {
      const client = newVisitor((await demo()).url)
      expect((await client.call('POST', '/api/set', { key: 'theme', value: { dark: true, sizes: [1, 2] } })).json).toEqual({ ok: true })
      expect((await client.call('POST', '/api/set', { key: '__proto__', value: { admin: true } })).status).toBe(200)
      const view = await client.session()
      expect(view.data.theme).toEqual({ dark: true, sizes: [1, 2] })
      expect(Object.hasOwn(view.data, '__proto__')).toBe(true)
      expect(({} as Record<string, unknown>).admin).toBeUndefined()
    })

    it('POST /api/expiry: 0 ends the cookie with the browser, null restores the two-week default, bad values are 400', async () => {
      const client = newVisitor((await demo()).url)
      await client.call('POST', '/api/counter')
      const zero = await client.call('POST', '/api/expiry', { seconds: 0 })
      expect(zero.status).toBe(200)
      expect(zero.setCookie).toHaveLength(1)
      expect(zero.setCookie[0]).toMatch(/^sessionid=[a-z0-9]{32}; Path=\//)
      expect(zero.setCookie[0]).not.toMatch(/Max-Age|Expires/i)
      expect((await client.session()).expireAtBrowserClose).toBe(true)
      const hour = await client.call('POST', '/api/expiry', { seconds: 3600 })
      expect(hour.setCookie[0]).toMatch(/Max-Age=3600/)
      expect(Date.parse((await client.session()).expiresAt!)).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000)
      const back = await client.call('POST', '/api/expiry', { seconds: null })
      expect(back.setCookie[0]).toMatch(/Max-Age=1209600/)
      expect((await client.session()).expireAtBrowserClose).toBe(false)
      for (const seconds of [-1, 'soon', '3600', '10', undefined, true]) {
        const bad = await client.call('POST', '/api/expiry', { seconds })
        expect(bad.status).toBe(400)
        expect(bad.json.error).toMatch(/seconds/)
      }
    })

    it('POST /api/clear empties the data and keeps the key', async () => {
      const client = newVisitor((await demo()).url)
      await client.call('POST', '/api/login', { user: 'ada' })
      const key = client.key
      expect((await client.call('POST', '/api/clear')).json).toEqual({ ok: true })
      expect(client.key).toBe(key)
      expect(await client.session()).toMatchObject({ handle: client.handle, data: {} })
    })

    it('POST /api/cycle gives a new key with the same data and kills the old key', async () => {
      const running = await demo()
      const client = newVisitor(running.url)
      await client.call('POST', '/api/counter')
      const oldKey = client.key!
      expect((await client.call('POST', '/api/cycle')).json).toEqual({ ok: true })
      expect(client.key).not.toBe(oldKey)
      const view = await client.session()
      expect(view.handle).toBe(client.handle)
      expect(view.data).toEqual({ count: 1 })
      expect(await running.sessions.exists(oldKey)).toBe(false)
    })

    it('GET /api/noop never touches the session: no cookie, no Vary', async () => {
      const client = newVisitor((await demo()).url)
      await client.call('POST', '/api/counter')
      for (const c of [client, newVisitor(client.base)]) {
        const noop = await c.call('GET', '/api/noop')
        expect(noop.json).toEqual({ ok: true })
        expect(noop.setCookie).toEqual([])
        expect(noop.vary ?? '').not.toMatch(/cookie/i)
      }
    })

    it('bad bodies get 400 (413 when too large) with a JSON error, save nothing, and the server keeps serving', async () => {
      const client = newVisitor((await demo()).url)
      const json = (body: string) => ({ body, type: 'application/json' })
      const cases: Array<[string, unknown, { body: string; type: string }?]> = [
        ['/api/login', undefined, json('{"user": ')],
        ['/api/login', undefined, json('{not json')],
        ['/api/login', undefined, json('[1]')],
        ['/api/login', undefined, { body: 'user=ada', type: 'text/plain' }],
        ['/api/login', [1, 2]],
        ['/api/login', { user: '' }],
        ['/api/login', { user: 42 }],
        ['/api/login', { user: 'x'.repeat(201) }],
        ['/api/set', { key: 'a' }],
        ['/api/set', { value: 1 }],
        ['/api/set', undefined, json('null')],
        ['/api/expiry', { seconds: -1 }],
        ['/api/expiry', { seconds: '10' }],
      ]
      for (const [path, body, raw] of cases) {
        const response = await client.call('POST', path, body, raw)
        expect(response.status, `${path} ${JSON.stringify(body ?? raw)}`).toBe(400)
        expect(response.json).toEqual({ error: expect.any(String) })
        expect(response.setCookie).toEqual([])
      }
      expect((await client.call('POST', '/api/login')).status).toBe(400) // no body at all
      const huge = await client.call('POST', '/api/set', { key: 'big', value: 'x'.repeat(20_000) })
      expect(huge.status).toBe(413)
      expect(typeof huge.json.error).toBe('string')
      expect(client.key).toBeUndefined()
      expect((await client.call('GET', '/api/nope')).status).toBe(404)
      expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 1 })
    })

    it('answers unknown API routes with 404 JSON', async () => {
      const client = newVisitor((await demo()).url)
      expect(await client.call('GET', '/api/nope')).toMatchObject({ status: 404, json: { error: 'no such endpoint' } })
      expect(await client.call('GET', '/api/counter')).toMatchObject({ status: 404, json: { error: 'no such endpoint' } })
    })

    describeDevices({ demo, visitor: newVisitor, peerAddress: demoUnderTest.peerAddress ?? true })
  })

  describe(`the ${name} demo when the store fails`, () => {
    it('a failed save answers 500 JSON, never the 200 of the handler', async () => {
      const sessions = createSessions<DemoData>({ engine: brokenEngine() })
      const running =
        'listen' in demoUnderTest
          ? await serveDemo(demoUnderTest.listen, sessions, { port: 0, host: '127.0.0.1' })
          : await demoUnderTest.serve(sessions)
      onTestFinished(() => running.close())
      const response = await new DemoClient(running.url).call('POST', '/api/counter')
      expect(response.status).toBe(500)
      expect(response.json).toEqual({ error: 'the session could not be saved' })
      expect(response.setCookie).toEqual([])
    })
  })
}
