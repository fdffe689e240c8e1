import { readFileSync } from 'node:fs'
import { createSessions, MAX_COOKIE_AGE_SECONDS, type SessionsOptions } from '@sess/core'
import { isSessionError, SessionError, type Session } from '@sess/core/binding'
import { controlledEngine, CookieJar, type BindingData } from '@sess/engine-tests'
import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import { HTTPException } from 'hono/http-exception'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { session, type SessionEnv } from './index.js'
import { listen, standardApp } from './test-app.js'

let logged: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  logged = vi.spyOn(console, 'error').mockImplementation(() => {})
})
afterEach(() => {
  vi.restoreAllMocks()
})

/** The standard app plus Hono-specific routes, driven through `app.request` (the Web-standard fetch path, no server). */
function setup(options: Partial<SessionsOptions> = {}) {
  const engine = controlledEngine()
  const sessions = createSessions<BindingData>({ ...options, engine })
  const app = standardApp(sessions)
  app.post('/deny', async (c) => {
    await c.get('session').set('denied', true)
    throw new HTTPException(401, { message: 'who are you?' })
  })
  app.get('/redirect', async (c) => {
    await c.get('session').set('user', 'ada')
    return Response.redirect('http://127.0.0.1/next', 302) // immutable headers
  })
  app.get('/vary', async (c) => {
    c.header('Vary', 'Accept-Encoding')
    setCookie(c, 'a', '1', { path: '/' })
    setCookie(c, 'b', '2', { path: '/' })
    await c.get('session').set('user', 'ada')
    return c.json({ ok: true })
  })
  let lateWrite: Promise<string> = Promise.resolve('none')
  app.get('/late', async (c) => {
    await c.get('session').set('early', true)
    const current = c.get('session')
    lateWrite = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
      current.set('late', true).then(
        () => 'saved',
        (error: unknown) => (isSessionError(error, 'COMMITTED') ? 'COMMITTED' : String(error)),
      ),
    )
    return c.json({ ok: true })
  })
  const late = () => lateWrite
  const request = async (method: string, path: string, jar?: CookieJar) => {
    const cookie = jar?.header()
    const response = await app.request(path, { method, headers: cookie ? { cookie } : {} })
    jar?.apply(response.headers.getSetCookie())
    const body = await response.text()
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {}
    return { status: response.status, body, json, headers: response.headers, setCookie: response.headers.getSetCookie() }
  }
  return { app, engine, sessions, request, late }
}

type Result = Awaited<ReturnType<ReturnType<typeof setup>['request']>>
const sessionCookies = (r: Result) => r.setCookie.filter((c) => c.startsWith('sessionid='))
const varies = (r: Result) =>
  (r.headers.get('vary') ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)
    .includes('cookie')

describe('@sess/hono on the Web-standard fetch path (app.request, no server)', () => {
  it('a write after the middleware finished (the final commit) rejects with COMMITTED and is not half-saved', async () => {
    const { request, late } = setup()
    const jar = new CookieJar()
    const response = await request('GET', '/late', jar)
    expect(response.status).toBe(200)
    expect(sessionCookies(response)).toHaveLength(1)
    expect(await late()).toBe('COMMITTED')
    expect((await request('GET', '/data', jar)).json).toEqual({ early: true })
  })

  it('counts across requests under one key', async () => {
    const { request } = setup()
    const jar = new CookieJar()
    expect((await request('GET', '/counter', jar)).json).toEqual({ count: 1 })
    const key = jar.get('sessionid')
    expect(key).toMatch(/^[a-z0-9]{32}$/)
    expect((await request('GET', '/counter', jar)).json).toEqual({ count: 2 })
    expect(jar.get('sessionid')).toBe(key)
  })

  it('login cycles the key and keeps the data; logout expires the cookie and kills the key', async () => {
    const { request, sessions } = setup()
    const jar = new CookieJar()
    await request('GET', '/counter', jar)
    const before = jar.get('sessionid')!
    await request('POST', '/login?user=ada', jar)
    const after = jar.get('sessionid')!
    expect(after).not.toBe(before)
    expect(await sessions.exists(before)).toBe(false)
    expect((await request('GET', '/data', jar)).json).toEqual({ count: 1, user: 'ada' })
    const logout = await request('POST', '/logout', jar)
    expect(sessionCookies(logout)).toEqual([expect.stringMatching(/^sessionid=; .*Max-Age=0/i)])
    expect(await sessions.exists(after)).toBe(false)
    expect(jar.get('sessionid')).toBeUndefined()
  })

  it('a throwing handler: 500 from the default handler, nothing saved', async () => {
    const { request, engine } = setup()
    const jar = new CookieJar()
    await request('GET', '/counter', jar)
    const thrown = await request('GET', '/throw', jar)
    expect(thrown.status).toBe(500)
    expect(sessionCookies(thrown)).toEqual([])
    expect((await request('GET', '/data', jar)).json).toEqual({ count: 1 })
    expect(engine.size).toBe(1)
  })

  it('an HTTPException (401) in a handler: its response, nothing saved', async () => {
    const { request, engine } = setup()
    const denied = await request('POST', '/deny', new CookieJar())
    expect(denied.status).toBe(401)
    expect(denied.body).toBe('who are you?')
    expect(sessionCookies(denied)).toEqual([])
    expect(engine.size).toBe(0)
  })

  it("the app's own cookies and Vary are kept, the session's are added after them", async () => {
    const { request } = setup()
    const response = await request('GET', '/vary')
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect(response.setCookie.slice(0, 2)).toEqual(['a=1; Path=/', 'b=2; Path=/'])
    expect(response.setCookie[2]).toMatch(/^sessionid=[a-z0-9]{32}; /)
    expect(response.setCookie).toHaveLength(3)
  })

  it('a request that never touches the session gets exactly the response it would get without the middleware', async () => {
    const { app } = setup()
    const bare = new Hono()
    bare.get('/noop', (c) => c.text('noop'))
    const init = { headers: { cookie: `sessionid=${'a'.repeat(32)}; other=1` } }
    const [withSession, without] = [await app.request('/noop', init), await bare.request('/noop', init)]
    expect([...withSession.headers]).toEqual([...without.headers])
    expect(withSession.status).toBe(without.status)
    expect(await withSession.text()).toBe(await without.text())
  })

  it('a response with immutable headers (Response.redirect) still gets the session cookie', async () => {
    const { request } = setup()
    const jar = new CookieJar()
    const response = await request('GET', '/redirect', jar)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe('http://127.0.0.1/next')
    expect(sessionCookies(response)).toHaveLength(1)
    expect((await request('GET', '/data', jar)).json).toEqual({ user: 'ada' })
  })

  it('a 5xx response skips the save; an untouched request sets nothing and does not vary', async () => {
    const { request, engine } = setup()
    const jar = new CookieJar()
    await request('GET', '/counter', jar)
    expect(sessionCookies(await request('GET', '/fail500', jar))).toEqual([])
    expect((await request('GET', '/data', jar)).json).toEqual({ count: 1 })
    engine.failWrites = true
    const noop = await request('GET', '/noop', jar)
    expect(noop.body).toBe('noop')
    expect(noop.setCookie).toEqual([])
    expect(varies(noop)).toBe(false)
    expect(varies(await request('GET', '/read', jar))).toBe(true)
  })

  it("a failed save discards the handler's response and its cookies, keeps headers for every response: the default handler answers 500 and logs", async () => {
    const { app, request, engine } = setup()
    app.get('/located', async (c) => {
      c.header('Location', '/elsewhere')
      c.header('ETag', '"v1"')
      await c.get('session').set('user', 'ada')
      return c.json({ ok: true }, 201)
    })
    engine.failWrites = true
    const response = await request('GET', '/vary')
    expect(response.status).toBe(500)
    expect(response.body).toBe('Internal Server Error')
    expect(response.setCookie).toEqual([])
    expect(response.headers.get('vary')).toBe('Accept-Encoding') // the app's, without Cookie
    const located = await request('GET', '/located')
    expect(located.status).toBe(500)
    expect(located.headers.get('location')).toBeNull()
    expect(located.headers.get('etag')).toBeNull()
    expect(located.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(logged).toHaveBeenCalledWith(expect.objectContaining({ name: 'SessionError', code: 'ENGINE' }))
  })

  it('headers set for every response by earlier middleware (CORS, security) stay on the error response', async () => {
    const { cors } = await import('hono/cors')
    const { secureHeaders } = await import('hono/secure-headers')
    const engine = controlledEngine()
    engine.failWrites = true
    const app = new Hono<SessionEnv<BindingData>>()
    app.use(cors({ origin: 'https://app.example' }))
    app.use(async (c, next) => {
      c.header('X-Request-Id', 'r1')
      await next()
    })
    app.use(session(createSessions<BindingData>({ engine })))
    app.get('/counter', async (c) => {
      setCookie(c, 'app', '1')
      await c.get('session').set('count', 1)
      return c.json({ count: 1 })
    })
    const secured = new Hono()
    secured.use(secureHeaders())
    secured.route('/', app)
    const response = await secured.request('/counter', { headers: { origin: 'https://app.example' } })
    expect(response.status).toBe(500)
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(response.headers.get('x-request-id')).toBe('r1')
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.getSetCookie()).toEqual([])
  })

  it('app.onError receives the SessionError itself', async () => {
    const { app, request, engine } = setup()
    const seen: unknown[] = []
    app.onError((error, c) => {
      seen.push(error)
      return c.json({ code: isSessionError(error) ? error.code : null }, isSessionError(error) ? (error.status as 500) : 500)
    })
    engine.failWrites = true
    const response = await request('GET', '/counter', new CookieJar())
    expect(response.status).toBe(500)
    expect(response.json).toEqual({ code: 'ENGINE' })
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(SessionError)
  })

  it('a save racing a logout answers 400 (not logged) and does not resurrect the session', async () => {
    const { request, engine, sessions } = setup()
    const jar = new CookieJar()
    await request('POST', '/login?user=ada', jar)
    const key = jar.get('sessionid')!
    const held = engine.holdNextUpdate()
    const slow = request('POST', '/set/late?value=1', jar.clone())
    await held.entered
    await request('POST', '/logout', jar)
    held.release()
    const response = await slow
    expect(response.status).toBe(400)
    expect(response.body).toMatch(/^\[@sess\/\w+\] /)
    expect(sessionCookies(response)).toEqual([])
    expect(await sessions.exists(key)).toBe(false)
    expect(logged).not.toHaveBeenCalled()
  })

  it('50 parallel requests setting different keys all survive', async () => {
    // In process, all 50 saves contend at the same instant; core's jittered backoff spreads them out.
    const { request } = setup()
    const jar = new CookieJar()
    await request('GET', '/counter', jar)
    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => request('POST', `/set/k${i}?value=v${i}`, jar.clone())))
    expect(
      responses.map((r) => r.status),
      String(logged.mock.calls[0]?.[0]),
    ).toEqual(Array(50).fill(200))
    const data = (await request('GET', '/data', jar)).json as Record<string, unknown>
    expect(Object.keys(data)).toHaveLength(51)
    expect(data.k49).toBe('v49')
  })
})

describe('Max-Age is capped at 400 days, which Hono (and browsers) refuse to exceed', () => {
  it('a 500-day expiry gives a cookie of exactly 400 days, on both paths', async () => {
    // A global maxAge over 400 days is refused at start-up (surely milliseconds); a session's own expiry is not.
    const { app, request } = setup()
    app.get('/long', async (c) => {
      await c.get('session').set('count', 1)
      await c.get('session').setExpiry(500 * 24 * 3600)
      return c.text('ok')
    })
    const cookie = sessionCookies(await request('GET', '/long'))[0]!
    expect(cookie).toContain(`Max-Age=${MAX_COOKIE_AGE_SECONDS}`)
    expect(MAX_COOKIE_AGE_SECONDS).toBe(400 * 24 * 3600)
    const expires = Date.parse(/Expires=([^;]+)/.exec(cookie)![1]!)
    expect(expires).toBeLessThanOrEqual(Date.now() + MAX_COOKIE_AGE_SECONDS * 1000)
    expect(expires).toBeGreaterThan(Date.now() + (MAX_COOKIE_AGE_SECONDS - 60) * 1000)
    const server = await listen(app)
    try {
      const overHttp = (await fetch(`${server.url}/long`)).headers.getSetCookie()
      expect(overHttp[0]).toContain(`Max-Age=${MAX_COOKIE_AGE_SECONDS}`)
    } finally {
      await server.close()
    }
  })
})

describe('types and set-up', () => {
  it('types c.get("session") through the env, also when chained with app.use (checked by tsc)', async () => {
    type Data = { user?: string }
    const sessions = createSessions<Data>({ engine: controlledEngine() })
    const app = new Hono().use(session(sessions))
    app.get('/', async (c) => {
      const current: Session<Data> = c.get('session')
      const user: string | undefined = await current.get('user')
      // @ts-expect-error `user` is a string
      await c.var.session.set('user', 1)
      return c.json({ user: user ?? null })
    })
    const typed = new Hono<SessionEnv<Data>>()
    typed.use(session(sessions))
    typed.get('/', async (c) => c.text((await c.get('session').get('user')) ?? 'nobody'))
    expect(await (await app.request('/')).json()).toEqual({ user: null })
    expect(await (await typed.request('/')).text()).toBe('nobody')
  })

  it('refuses anything but the object createSessions returns', () => {
    for (const bad of [undefined, null, {}, { load() {} }]) {
      expect(() => session(bad as never)).toThrowError(
        expect.objectContaining({ code: 'CONFIG', message: expect.stringMatching(/^\[@sess\/hono\]/) }),
      )
    }
  })

  it('imports nothing from node: (runs on workers, Bun and Deno)', () => {
    const source = readFileSync(new URL('./index.ts', import.meta.url), 'utf8')
    const imports = [...source.matchAll(/from\s+['"]([^'"]+)['"]/g)].map((m) => m[1])
    expect(imports).toEqual(['@sess/core/binding', 'hono'])
    expect(source).not.toMatch(/\bBuffer\b|\bprocess\./)
  })
})

describe('outer middleware that re-creates or reads the response (etag, compress) on @hono/node-server', () => {
  it('keeps the session cookie', async () => {
    const { etag } = await import('hono/etag')
    const sessions = createSessions<BindingData>({ engine: controlledEngine() })
    const app = new Hono<SessionEnv<BindingData>>()
    app.use(etag())
    app.use(async (c, next) => {
      await next()
      c.res = new Response(c.res.body, c.res) // what compress() does
    })
    app.use(session(sessions))
    app.get('/counter', async (c) => {
      const count = ((await c.var.session.get('count', 0)) ?? 0) + 1
      await c.var.session.set('count', count)
      return c.json({ count })
    })
    const server = await listen(app)
    try {
      const first = await fetch(`${server.url}/counter`)
      expect(await first.json()).toEqual({ count: 1 })
      expect(first.headers.get('etag')).toBeTruthy()
      const cookie = first.headers.getSetCookie()
      expect(cookie).toEqual([expect.stringMatching(/^sessionid=[a-z0-9]{32}; /)])
      expect(first.headers.get('vary')).toBe('Cookie')
      const second = await fetch(`${server.url}/counter`, { headers: { cookie: cookie[0]!.split(';')[0]! } })
      expect(await second.json()).toEqual({ count: 2 })
    } finally {
      await server.close()
    }
  })
})
