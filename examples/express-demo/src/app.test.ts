import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import type { SessionView } from './app.js'
import { startServer, type RunningDemo } from './start.js'

const dir = mkdtempSync(join(tmpdir(), 'sess-express-demo-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let dbCount = 0

/** A browser-ish client: one cookie jar, JSON in and out. */
class Client {
  cookies = new Map<string, string>()
  constructor(readonly demo: RunningDemo) {}

  async call(method: string, path: string, body?: unknown, raw?: { body: string; type: string }) {
    const headers: Record<string, string> = {}
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    let payload: string | undefined
    if (raw) {
      headers['content-type'] = raw.type
      payload = raw.body
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    const response = await fetch(this.demo.url + path, { method, headers, ...(payload === undefined ? {} : { body: payload }) })
    const setCookie = response.headers.getSetCookie()
    for (const line of setCookie) {
      const [pair = ''] = line.split(';')
      const [name = '', value = ''] = pair.split('=')
      if (/max-age=0/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    const text = await response.text()
    const json: unknown = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined
    return { status: response.status, json: json as any, text, setCookie, vary: response.headers.get('vary') }
  }

  async session(): Promise<SessionView> {
    const { status, json } = await this.call('GET', '/api/session')
    expect(status).toBe(200)
    return json as SessionView
  }

  clone(): Client {
    const copy = new Client(this.demo)
    copy.cookies = new Map(this.cookies)
    return copy
  }
}

async function demo(dbPath = join(dir, `sessions-${++dbCount}.sqlite3`)): Promise<RunningDemo> {
  const running = await startServer({ port: 0, host: '127.0.0.1', dbPath })
  onTestFinished(() => running.close())
  return running
}

describe('express demo over real HTTP and SQLite', () => {
  it('serves the page with every control', async () => {
    const client = new Client(await demo())
    const { status, text, setCookie } = await client.call('GET', '/')
    expect(status).toBe(200)
    for (const id of ['key', 'expires', 'browser-close', 'data', 'login-name', 'login', 'logout', 'counter', 'expiry0', 'clear', 'cycle']) {
      expect(text).toContain(`id="${id}"`)
    }
    expect(setCookie).toEqual([])
  })

  it('GET /api/session of a new visitor: no key, no data, no cookie, Vary: Cookie', async () => {
    const client = new Client(await demo())
    const response = await client.call('GET', '/api/session')
    expect(response.json).toEqual({ key: null, data: {}, expiresAt: null, expireAtBrowserClose: false })
    expect(response.setCookie).toEqual([])
    expect(response.vary).toMatch(/cookie/i)
  })

  it('POST /api/counter counts under one key that the cookie carries', async () => {
    const running = await demo()
    const client = new Client(running)
    const first = await client.call('POST', '/api/counter')
    expect(first.json).toEqual({ count: 1 })
    expect(first.setCookie[0]).toMatch(/^sessionid=[a-z0-9]{32}; Max-Age=\d+; .*Path=\/; HttpOnly; SameSite=Lax$/)
    expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 2 })
    const view = await client.session()
    expect(view.key).toBe(client.cookies.get('sessionid'))
    expect(view.data).toEqual({ count: 2 })
    const expires = Date.parse(view.expiresAt!)
    expect(expires).toBeGreaterThan(Date.now() + 13 * 86_400_000)
    expect(expires).toBeLessThanOrEqual(Date.now() + 14 * 86_400_000 + 1000)
    expect(await running.sessions.exists(view.key!)).toBe(true)
  })

  it('login cycles the key and keeps the data; the pre-login cookie is dead', async () => {
    const running = await demo()
    const client = new Client(running)
    await client.call('POST', '/api/counter')
    const before = client.clone()
    const oldKey = client.cookies.get('sessionid')!
    const login = await client.call('POST', '/api/login', { user: '  ada  ' })
    expect(login.status).toBe(200)
    expect(login.json).toEqual({ user: 'ada' })
    const view = await client.session()
    expect(view.key).not.toBe(oldKey)
    expect(view.data).toEqual({ count: 1, user: 'ada' })
    expect(await running.sessions.exists(oldKey)).toBe(false)
    expect((await before.session()).key).toBeNull()
    expect(before.cookies.has('sessionid')).toBe(false)
  })

  it('a login survives a restart of the server (SQLite)', async () => {
    const dbPath = join(dir, 'restart.sqlite3')
    const first = await startServer({ port: 0, host: '127.0.0.1', dbPath })
    const client = new Client(first)
    await client.call('POST', '/api/login', { user: 'grace' })
    await first.close()
    const second = await demo(dbPath)
    const again = new Client(second)
    again.cookies = client.cookies
    expect((await again.session()).data).toEqual({ user: 'grace' })
  })

  it('logout flushes: the cookie is expired and the old cookie is anonymous', async () => {
    const running = await demo()
    const client = new Client(running)
    await client.call('POST', '/api/login', { user: 'ada' })
    const stolen = client.clone()
    const key = client.cookies.get('sessionid')!
    const logout = await client.call('POST', '/api/logout')
    expect(logout.json).toEqual({ ok: true })
    expect(logout.setCookie).toHaveLength(1)
    expect(logout.setCookie[0]).toMatch(/^sessionid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT/)
    expect(client.cookies.has('sessionid')).toBe(false)
    expect(await running.sessions.exists(key)).toBe(false)
    expect(await stolen.session()).toEqual({ key: null, data: {}, expiresAt: null, expireAtBrowserClose: false })
  })

  it('POST /api/set stores any JSON value under a key', async () => {
    const client = new Client(await demo())
    expect((await client.call('POST', '/api/set', { key: 'theme', value: { dark: true, sizes: [1, 2] } })).json).toEqual({ ok: true })
    expect((await client.call('POST', '/api/set', { key: '__proto__', value: { admin: true } })).status).toBe(200)
    const view = await client.session()
    expect(view.data.theme).toEqual({ dark: true, sizes: [1, 2] })
    expect(Object.hasOwn(view.data, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('POST /api/expiry: 0 ends the cookie with the browser, null restores the default, bad values are 400', async () => {
    const client = new Client(await demo())
    await client.call('POST', '/api/counter')
    const zero = await client.call('POST', '/api/expiry', { seconds: 0 })
    expect(zero.status).toBe(200)
    expect(zero.setCookie[0]).toMatch(/^sessionid=[a-z0-9]{32}; Path=\//)
    expect(zero.setCookie[0]).not.toMatch(/Max-Age|Expires/i)
    expect((await client.session()).expireAtBrowserClose).toBe(true)
    const hour = await client.call('POST', '/api/expiry', { seconds: 3600 })
    expect(hour.setCookie[0]).toMatch(/Max-Age=3600/)
    expect(Date.parse((await client.session()).expiresAt!)).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000)
    await client.call('POST', '/api/expiry', { seconds: null })
    expect((await client.session()).expireAtBrowserClose).toBe(false)
    for (const seconds of [-1, 'soon', '3600', undefined, true]) {
      const bad = await client.call('POST', '/api/expiry', { seconds })
      expect(bad.status).toBe(400)
      expect(bad.json.error).toMatch(/seconds/)
    }
  })

  it('POST /api/clear empties the data and keeps the key', async () => {
    const client = new Client(await demo())
    await client.call('POST', '/api/login', { user: 'ada' })
    const key = client.cookies.get('sessionid')
    expect((await client.call('POST', '/api/clear')).json).toEqual({ ok: true })
    expect(await client.session()).toMatchObject({ key, data: {} })
  })

  it('POST /api/cycle gives a new key with the same data and kills the old key', async () => {
    const running = await demo()
    const client = new Client(running)
    await client.call('POST', '/api/counter')
    const oldKey = client.cookies.get('sessionid')!
    expect((await client.call('POST', '/api/cycle')).json).toEqual({ ok: true })
    const view = await client.session()
    expect(view.key).not.toBe(oldKey)
    expect(view.data).toEqual({ count: 1 })
    expect(await running.sessions.exists(oldKey)).toBe(false)
  })

  it('GET /api/noop never touches the session: no cookie, no Vary', async () => {
    const client = new Client(await demo())
    await client.call('POST', '/api/counter')
    for (const c of [client, new Client(client.demo)]) {
      const noop = await c.call('GET', '/api/noop')
      expect(noop.json).toEqual({ ok: true })
      expect(noop.setCookie).toEqual([])
      expect(noop.vary ?? '').not.toMatch(/cookie/i)
    }
  })

  it('bad bodies get 400 with a JSON error and the server keeps serving', async () => {
    const client = new Client(await demo())
    const cases: Array<[string, unknown, { body: string; type: string }?]> = [
      ['/api/login', undefined, { body: '{"user": ', type: 'application/json' }],
      ['/api/login', undefined, { body: 'user=ada', type: 'text/plain' }],
      ['/api/login', [1, 2]],
      ['/api/login', { user: '' }],
      ['/api/login', { user: 42 }],
      ['/api/login', { user: 'x'.repeat(201) }],
      ['/api/set', { key: 'a' }],
      ['/api/set', { value: 1 }],
      ['/api/set', undefined, { body: 'null', type: 'application/json' }],
    ]
    for (const [path, body, raw] of cases) {
      const response = await client.call('POST', path, body, raw)
      expect(response.status, `${path} ${JSON.stringify(body ?? raw)}`).toBe(400)
      expect(typeof response.json.error).toBe('string')
    }
    const huge = await client.call('POST', '/api/set', { key: 'big', value: 'x'.repeat(20_000) })
    expect(huge.status).toBe(413)
    expect(typeof huge.json.error).toBe('string')
    expect((await client.call('GET', '/api/nope')).status).toBe(404)
    expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 1 })
  })
})
