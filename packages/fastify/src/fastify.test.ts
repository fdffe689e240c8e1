import { Readable } from 'node:stream'
import { createSessions, SessionError } from '@sess/core'
import { isSessionError, type Sessions } from '@sess/core/binding'
import { controlledEngine, CookieJar, type BindingData } from '@sess/engine-tests'
import cookie from '@fastify/cookie'
import Fastify, { type FastifyInstance } from 'fastify'
import { describe, expect, it, onTestFinished } from 'vitest'
import { session } from './index.js'
import { listen } from './test-app.js'

/** An app with @fastify/cookie and the session plugin, `routes`, and (by default) an error handler that reports what it got. */
async function start(routes: (app: FastifyInstance) => void, options: { errorHandler?: boolean } = {}) {
  const engine = controlledEngine()
  const sessions: Sessions<BindingData> = createSessions<BindingData>({ engine })
  const app = Fastify()
  await app.register(cookie)
  await app.register(session, { sessions })
  const seen: unknown[] = []
  if (options.errorHandler !== false) {
    app.setErrorHandler((error, _request, reply) => {
      seen.push(error)
      const status = reply.statusCode
      return reply.code(status === 400 ? 400 : 503).send({ handled: isSessionError(error) ? error.code : String(error), status })
    })
  }
  routes(app)
  const server = await listen(app)
  onTestFinished(async () => {
    await server.close()
    await sessions.dispose()
  })
  const request = async (method: string, path: string, jar?: CookieJar, headers: Record<string, string> = {}) => {
    const cookieHeader = jar?.header()
    const response = await fetch(server.url + path, { method, headers: cookieHeader ? { ...headers, cookie: cookieHeader } : headers })
    const body = await response.text()
    const setCookie = response.headers.getSetCookie()
    jar?.apply(setCookie)
    return { status: response.status, body, headers: response.headers, setCookie }
  }
  return { engine, sessions, seen, request }
}
const sessionCookies = (setCookie: string[]) => setCookie.filter((c) => c.startsWith('sessionid='))
const dataRoute = (app: FastifyInstance) => app.get('/data', async (request) => Object.fromEntries(await request.session.entries()))

describe('@sess/fastify', () => {
  it("keeps every cookie @fastify/cookie and reply.header('set-cookie') set, before and after the session's", async () => {
    const { request } = await start((app) => {
      app.get('/cookies', async (request, reply) => {
        reply.setCookie('a', '1', { path: '/' })
        reply.header('set-cookie', 'raw=2; Path=/')
        await request.session.set('count', 7)
        reply.setCookie('b', '3', { path: '/' })
        return { ok: true }
      })
      dataRoute(app)
    })
    const jar = new CookieJar()
    const response = await request('GET', '/cookies', jar)
    expect(response.status).toBe(200)
    const names = response.setCookie.map((c) => c.slice(0, c.indexOf('=')))
    expect(names.sort()).toEqual(['a', 'b', 'raw', 'sessionid'])
    expect(response.headers.get('vary')).toMatch(/cookie/i)
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ count: 7 })
  })

  it('a streamed reply carries the cookie and arrives whole', async () => {
    const { request } = await start((app) => {
      app.get('/stream', async (request, reply) => {
        await request.session.set('streamed', 'yes')
        return reply.type('text/plain').send(Readable.from(['one,', 'two,', 'three']))
      })
      dataRoute(app)
    })
    const jar = new CookieJar()
    const response = await request('GET', '/stream', jar)
    expect(response.status).toBe(200)
    expect(response.body).toBe('one,two,three')
    expect(sessionCookies(response.setCookie)).toHaveLength(1)
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ streamed: 'yes' })
  })

  it('a failed save becomes the error handler’s reply, without the handler’s status, body headers or cookies', async () => {
    const { request, engine, seen } = await start((app) => {
      app.addHook('onRequest', async (_request, reply) => {
        reply.header('x-frame-options', 'DENY') // a header for every response stays
      })
      app.post('/create', async (request, reply) => {
        await request.session.set('count', 1)
        reply.setCookie('app', '1')
        return reply.code(201).header('content-disposition', 'attachment; filename="a.csv"').type('text/csv').send('a,b')
      })
    })
    engine.failWrites = true
    const response = await request('POST', '/create')
    expect(JSON.parse(response.body)).toEqual({ handled: 'ENGINE', status: 500 })
    expect(response.status).toBe(503)
    expect(response.headers.get('content-disposition')).toBeNull()
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.setCookie).toEqual([])
    expect(seen).toHaveLength(1)
    expect(isSessionError(seen[0], 'ENGINE')).toBe(true)
  })

  it('without an error handler of its own, a failed save answers 500 through Fastify’s default handler (a 201 included)', async () => {
    const { request, engine } = await start(
      (app) => {
        app.post('/create', async (request, reply) => {
          await request.session.set('count', 1)
          return reply.code(201).send({ created: true })
        })
      },
      { errorHandler: false },
    )
    engine.failWrites = true
    const response = await request('POST', '/create')
    expect(response.status).toBe(500)
    expect(JSON.parse(response.body)).toMatchObject({ statusCode: 500, code: 'ENGINE' })
    expect(response.setCookie).toEqual([])
  })

  it('an error the app answers with a 4xx (e.g. a 401) saves nothing either', async () => {
    const { request } = await start(
      (app) => {
        app.get('/deny', async (request) => {
          await request.session.set('denied', true)
          throw Object.assign(new Error('no'), { statusCode: 401 })
        })
        dataRoute(app)
      },
      { errorHandler: false },
    )
    const jar = new CookieJar()
    const response = await request('GET', '/deny', jar)
    expect(response.status).toBe(401)
    expect(response.setCookie).toEqual([])
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({})
  })

  it('reply.hijack() skips onSend: nothing is saved unless the route commits itself and writes the headers', async () => {
    const { request, sessions } = await start((app) => {
      app.get('/hijack-forgot', async (request, reply) => {
        await request.session.set('forgotten', true)
        reply.hijack()
        reply.raw.end('raw')
      })
      app.get('/hijack', async (request, reply) => {
        await request.session.set('hijacked', true)
        reply.hijack()
        const { setCookie, vary } = await sessions.commit(request.session, { status: 200, final: true })
        reply.raw.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': [...setCookie], ...(vary ? { vary: 'Cookie' } : {}) })
        reply.raw.end('raw')
      })
      dataRoute(app)
    })
    const forgot = new CookieJar()
    const lost = await request('GET', '/hijack-forgot', forgot)
    expect(lost.body).toBe('raw')
    expect(lost.setCookie).toEqual([])
    const jar = new CookieJar()
    const committed = await request('GET', '/hijack', jar)
    expect(committed.body).toBe('raw')
    expect(sessionCookies(committed.setCookie)).toHaveLength(1)
    expect(committed.headers.get('vary')).toBe('Cookie')
    expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ hijacked: true })
  })

  it("merges the app's Vary with Cookie and leaves Vary: * alone", async () => {
    const { request } = await start((app) => {
      app.get('/vary', async (request, reply) => {
        reply.header('vary', 'Accept-Encoding')
        return { count: (await request.session.get('count')) ?? null }
      })
      app.get('/vary-star', async (request, reply) => {
        reply.header('vary', '*')
        return { count: (await request.session.get('count')) ?? null }
      })
    })
    expect((await request('GET', '/vary')).headers.get('vary')).toBe('Accept-Encoding, Cookie')
    expect((await request('GET', '/vary-star')).headers.get('vary')).toBe('*')
  })

  it('a malformed session cookie is removed even on a route that never touches the session', async () => {
    const { request, engine } = await start((app) => {
      app.get('/noop', async () => 'noop')
    })
    engine.failWrites = true
    const response = await request('GET', '/noop', undefined, { cookie: 'sessionid=not-a-session-key' })
    expect(response.body).toBe('noop')
    expect(sessionCookies(response.setCookie)).toHaveLength(1)
    expect(sessionCookies(response.setCookie)[0]).toMatch(/Max-Age=0/i)
  })

  it('works in an encapsulated child plugin (fastify-plugin shares the hooks with the whole app)', async () => {
    const { request } = await start((app) => {
      app.register(async (child) => {
        child.get('/child/counter', async (request) => {
          const count = ((await request.session.get('count', 0)) as number) + 1
          await request.session.set('count', count)
          return { count }
        })
      })
    })
    const jar = new CookieJar()
    await request('GET', '/child/counter', jar)
    expect(JSON.parse((await request('GET', '/child/counter', jar)).body)).toEqual({ count: 2 })
  })

  it('refuses anything but the object createSessions() returns, at registration', async () => {
    const app = Fastify()
    // @ts-expect-error the options need { sessions }
    app.register(session, {})
    await expect(app.ready()).rejects.toSatisfy((error) => error instanceof SessionError && error.code === 'CONFIG')
  })
})
