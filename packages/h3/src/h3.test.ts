import { createSessions } from '@sess/core'
import { isSessionError, type Sessions } from '@sess/core/binding'
import { controlledEngine, CookieJar, type BindingData } from '@sess/engine-tests'
import { H3, HTTPError, redirect, serve, setCookie } from 'h3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { session, useSession } from './index.js'
import { listen } from './test-app.js'

/** An h3 app with the session middleware and `routes`; `onError` records what reached h3's error hook. */
async function start(routes: (app: H3) => void, withSession = true) {
  const engine = controlledEngine()
  const sessions: Sessions<BindingData> = createSessions<BindingData>({ engine })
  const seen: unknown[] = []
  const app = new H3({ silent: true, onError: (error) => void seen.push(error) })
  if (withSession) app.use(session(sessions))
  routes(app)
  const server = await listen(app)
  onTestFinished(async () => {
    await server.close()
    await sessions.dispose()
  })
  const request = async (method: string, path: string, jar?: CookieJar) => {
    const cookie = jar?.header()
    const response = await fetch(server.url + path, { method, headers: cookie ? { cookie } : {}, redirect: 'manual' })
    const body = await response.text()
    const setCookie = response.headers.getSetCookie()
    jar?.apply(setCookie)
    return { status: response.status, body, headers: response.headers, setCookie }
  }
  return { engine, seen, request }
}
const sessionCookies = (setCookie: string[]) => setCookie.filter((c) => c.startsWith('sessionid='))
const dataRoute = (app: H3) => app.get('/data', async (event) => Object.fromEntries(await useSession(event).entries()))

describe('@sess/h3', () => {
  it('a streamed body carries the cookie and arrives whole', async () => {
    const { request } = await start((app) => {
      app.get('/stream', async (event) => {
        await useSession(event).set('streamed', 'yes')
        const parts = ['one,', 'two,', 'three']
        return new ReadableStream({
          pull(controller) {
            const part = parts.shift()
            if (part === undefined) controller.close()
            else controller.enqueue(new TextEncoder().encode(part))
          },
        })
      })
      dataRoute(app)
    })
    const jar = new CookieJar()
    const response = await request('GET', '/stream', jar)
    expect(response.body).toBe('one,two,three')
    expect(sessionCookies(response.setCookie)).toHaveLength(1)
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ streamed: 'yes' })
  })

  it('a returned Response (a redirect, an immutable fetch() response) gets the cookie and keeps its own', async () => {
    const upstream = serve(
      new H3().get('/', () => new Response('upstream', { headers: { 'set-cookie': 'up=1; Path=/' } })),
      {
        hostname: '127.0.0.1',
        port: 0,
        silent: true,
      },
    )
    await upstream.ready()
    onTestFinished(() => upstream.close(true))
    const { request } = await start((app) => {
      app.post('/go', async (event) => {
        await useSession(event).set('user', 'ada')
        return redirect('/home', 303)
      })
      app.get('/proxied', async (event) => {
        await useSession(event).set('proxied', true)
        return fetch(upstream.url!)
      })
      dataRoute(app)
    })
    const jar = new CookieJar()
    const go = await request('POST', '/go', jar)
    expect(go.status).toBe(303)
    expect(go.headers.get('location')).toBe('/home')
    expect(sessionCookies(go.setCookie)).toHaveLength(1)
    const proxied = await request('GET', '/proxied', jar)
    expect(proxied.body).toBe('upstream')
    expect(proxied.setCookie.some((c) => c.startsWith('up=1'))).toBe(true)
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ user: 'ada', proxied: true })
  })

  it('a failed save answers 500 through h3’s error path, without the handler’s status, body or cookies', async () => {
    const { request, engine, seen } = await start((app) => {
      app.post('/create', async (event) => {
        await useSession(event).set('count', 1)
        setCookie(event, 'app', '1')
        event.res.status = 201
        return { created: true }
      })
    })
    engine.failWrites = true
    const response = await request('POST', '/create')
    expect(response.status).toBe(500)
    expect(response.body).not.toContain('created')
    expect(response.setCookie).toEqual([])
    expect(seen).toHaveLength(1)
    expect(isSessionError((seen[0] as HTTPError).cause ?? seen[0], 'ENGINE')).toBe(true)
  })

  it('an HTTPError the handler throws (e.g. 401) saves nothing', async () => {
    const { request } = await start((app) => {
      app.get('/deny', async (event) => {
        await useSession(event).set('denied', true)
        throw new HTTPError({ status: 401, message: 'no' })
      })
      dataRoute(app)
    })
    const jar = new CookieJar()
    const response = await request('GET', '/deny', jar)
    expect(response.status).toBe(401)
    expect(response.setCookie).toEqual([])
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({})
  })

  it("merges the app's Vary with Cookie and leaves Vary: * alone", async () => {
    const { request } = await start((app) => {
      app.get('/vary', async (event) => {
        event.res.headers.set('vary', 'Accept-Encoding')
        return { count: (await useSession(event).get('count')) ?? null }
      })
      app.get('/vary-star', async (event) => {
        event.res.headers.set('vary', '*')
        return { count: (await useSession(event).get('count')) ?? null }
      })
    })
    expect((await request('GET', '/vary')).headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect((await request('GET', '/vary-star')).headers.get('vary')).toBe('*')
  })

  it('useSession(event) without the middleware is a CONFIG error (500), not undefined', async () => {
    const { request, seen } = await start((app) => {
      app.get('/count', async (event) => ({ count: await useSession(event).get('count') }))
    }, false)
    expect((await request('GET', '/count')).status).toBe(500)
    expect(isSessionError((seen[0] as HTTPError).cause, 'CONFIG')).toBe(true)
  })
})
