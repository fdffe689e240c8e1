import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createSessions, SessionError, type SessionEngine } from '@sess/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type DemoData, type SessionView } from './app.js'
import { startServer, type RunningDemo } from './start.js'

/** One visitor: keeps the cookies a browser would (one host, one path). */
class Visitor {
  readonly cookies = new Map<string, string>()
  constructor(readonly base: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(this.base + path, {
      method,
      headers: { ...headers, ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const setCookie = response.headers.getSetCookie()
    for (const line of setCookie) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      if (/;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(pair.slice(0, eq))
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const text = await response.text()
    return { status: response.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : undefined, setCookie, headers: response.headers }
  }

  async session(): Promise<SessionView> {
    return (await this.call('GET', '/api/session')).json as unknown as SessionView
  }

  get key(): string | undefined {
    return this.cookies.get('sessionid')
  }
}

let dir: string
let demo: RunningDemo

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sess-hono-demo-'))
  demo = await startServer({ port: 0, host: '127.0.0.1', dbPath: join(dir, 'sessions.sqlite3') })
})

afterAll(async () => {
  await demo?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the hono demo over SQLite, through real HTTP', () => {
  it('serves the page at /', async () => {
    const response = await new Visitor(demo.url).call('GET', '/')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    expect(response.text).toContain('<button id="login">')
    expect(response.setCookie).toEqual([])
  })

  it('a new visitor has an empty session and gets no cookie for looking', async () => {
    const visitor = new Visitor(demo.url)
    const view = await visitor.call('GET', '/api/session')
    expect(view.json).toEqual({ key: null, data: {}, expiresAt: null, expireAtBrowserClose: false })
    expect(view.setCookie).toEqual([])
    expect(view.headers.get('vary')).toMatch(/cookie/i)
  })

  it('counts, logs in with a new key (the old one dies), logs out', async () => {
    const visitor = new Visitor(demo.url)
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
    expect(await demo.sessions.exists(anonymousKey)).toBe(false)
    const view = await visitor.session()
    expect(view.key).toBe(visitor.key)
    expect(view.data).toEqual({ count: 3, user: 'ada' })
    expect(Date.parse(view.expiresAt!)).toBeGreaterThan(Date.now() + 13 * 86_400_000)

    const loggedInKey = visitor.key!
    const logout = await visitor.call('POST', '/api/logout')
    expect(logout.json).toEqual({ ok: true })
    expect(logout.setCookie).toEqual([expect.stringMatching(/^sessionid=;.*Max-Age=0/i)])
    expect(visitor.key).toBeUndefined()
    expect(await demo.sessions.exists(loggedInKey)).toBe(false)
    expect((await visitor.session()).data).toEqual({})
  })

  it('set stores any JSON value; clear keeps the key; cycle moves the data to a new key', async () => {
    const visitor = new Visitor(demo.url)
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
    expect(view.key).toBe(cycled)
  })

  it('setExpiry(0) gives a browser-session cookie; null goes back to the two-week policy', async () => {
    const visitor = new Visitor(demo.url)
    await visitor.call('POST', '/api/counter')
    const zero = await visitor.call('POST', '/api/expiry', { seconds: 0 })
    expect(zero.setCookie).toHaveLength(1)
    expect(zero.setCookie[0]).not.toMatch(/Max-Age|Expires/i)
    expect((await visitor.session()).expireAtBrowserClose).toBe(true)
    const back = await visitor.call('POST', '/api/expiry', { seconds: null })
    expect(back.setCookie[0]).toMatch(/Max-Age=1209600/)
    expect((await visitor.session()).expireAtBrowserClose).toBe(false)
  })

  it('noop never touches the session: no cookie, no Vary', async () => {
    const visitor = new Visitor(demo.url)
    await visitor.call('POST', '/api/counter')
    const noop = await visitor.call('GET', '/api/noop')
    expect(noop.json).toEqual({ ok: true })
    expect(noop.setCookie).toEqual([])
    expect(noop.headers.get('vary') ?? '').not.toMatch(/cookie/i)
  })

  it('answers bad input with 400 JSON and saves nothing', async () => {
    const visitor = new Visitor(demo.url)
    for (const [path, body] of [
      ['/api/login', { user: '' }],
      ['/api/login', { user: 'x'.repeat(201) }],
      ['/api/login', '{not json'],
      ['/api/login', '[1]'],
      ['/api/set', { key: 'a' }],
      ['/api/expiry', { seconds: -1 }],
      ['/api/expiry', { seconds: '10' }],
    ] as const) {
      const response = await visitor.call('POST', path, body)
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect(response.json).toEqual({ error: expect.any(String) })
      expect(response.setCookie).toEqual([])
    }
    expect((await visitor.call('POST', '/api/login')).status).toBe(400) // no body at all
    expect((await visitor.call('POST', '/api/set', { key: 'a', value: 'x'.repeat(20_000) })).status).toBe(413)
    expect(visitor.key).toBeUndefined()
  })

  it('answers unknown API routes with 404 JSON', async () => {
    const visitor = new Visitor(demo.url)
    expect(await visitor.call('GET', '/api/nope')).toMatchObject({ status: 404, json: { error: 'no such endpoint' } })
    expect(await visitor.call('GET', '/api/counter')).toMatchObject({ status: 404, json: { error: 'no such endpoint' } })
  })

  it('sessions survive a restart of the server (they live in SQLite)', async () => {
    const path = join(dir, 'restart.sqlite3')
    const first = await startServer({ port: 0, host: '127.0.0.1', dbPath: path })
    const visitor = new Visitor(first.url)
    await visitor.call('POST', '/api/login', { user: 'grace' })
    await first.close()
    const second = await startServer({ port: 0, host: '127.0.0.1', dbPath: path })
    try {
      const again = new Visitor(second.url)
      again.cookies.set('sessionid', visitor.key!)
      expect((await again.session()).data).toEqual({ user: 'grace' })
    } finally {
      await second.close()
    }
  })
})

describe('the hono demo when the store fails', () => {
  it('a failed save answers 500 JSON, never the 200 of the handler', async () => {
    const engine: SessionEngine = {
      name: 'broken',
      capabilities: { durable: true, touch: false, purge: false },
      read: async () => null,
      create: async () => {
        throw new SessionError('ENGINE', 'broken', 'create failed: disk full')
      },
      update: async () => {
        throw new SessionError('ENGINE', 'broken', 'update failed: disk full')
      },
      destroy: async () => {},
    }
    const app = createApp(createSessions<DemoData>({ engine }))
    let server!: ReturnType<typeof serve>
    const port = await new Promise<number>((ready) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => ready(info.port))
    })
    try {
      const visitor = new Visitor(`http://127.0.0.1:${port}`)
      const response = await visitor.call('POST', '/api/counter')
      expect(response.status).toBe(500)
      expect(response.json).toEqual({ error: 'the session could not be saved' })
      expect(response.setCookie).toEqual([])
    } finally {
      if ('closeAllConnections' in server) server.closeAllConnections()
      await new Promise((done) => server.close(done))
    }
  })
})

describe('the hono demo on the Web-standard fetch path (app.request, no server)', () => {
  it('logs in and counts through app.request, the way it runs on workers, Bun and Deno', async () => {
    const app = createApp(demo.sessions)
    const login = await app.request('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'ada' }) })
    expect(await login.json()).toEqual({ user: 'ada' })
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
    const counter = await app.request('/api/counter', { method: 'POST', headers: { cookie } })
    expect(await counter.json()).toEqual({ count: 1 })
    const view = (await (await app.request('/api/session', { headers: { cookie } })).json()) as SessionView
    expect(view.data).toEqual({ user: 'ada', count: 1 })
  })
})
