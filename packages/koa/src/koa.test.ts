import { Readable } from 'node:stream'
import { createSessions } from '@sess/core'
import { isSessionError, SessionError } from '@sess/core/binding'
import { controlledEngine, CookieJar } from '@sess/engine-tests'
import Koa from 'koa'
import Koa2 from 'koa2'
import { afterEach, describe, expect, it } from 'vitest'
import { session } from './index.js'
import { listen, routes, type KoaClass } from './test-app.js'

declare module './index.js' {
  interface SessionDataRegistry {
    data: { count?: number; user?: string; [key: string]: unknown }
  }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

/** The outcome of the write `GET /late` starts after its handler returned (the middleware then commits). */
let lateWrite: Promise<string> = Promise.resolve('none')

/** Extra routes for the Koa-specific cases, on top of the standard ones. */
const extraRoutes = {
  'GET /late': async (ctx: Koa.Context) => {
    await ctx.session.set('early', true)
    const current = ctx.session
    lateWrite = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
      current.set('late', true).then(
        () => 'saved',
        (error: unknown) => (isSessionError(error, 'COMMITTED') ? 'COMMITTED' : String(error)),
      ),
    )
    ctx.body = { ok: true }
  },
  'POST /deny': async (ctx: Koa.Context) => {
    await ctx.session.set('denied', true)
    ctx.throw(401, 'who are you?')
  },
  'GET /stream': async (ctx: Koa.Context) => {
    const count = ((await ctx.session.get('count', 0)) ?? 0) + 1
    await ctx.session.set('count', count)
    ctx.type = 'text/plain'
    ctx.body = Readable.from(['count ', String(count), ' streamed'])
  },
  'GET /located': async (ctx: Koa.Context) => {
    ctx.cookies.set('app', '1')
    ctx.set('ETag', '"v1"')
    ctx.redirect('/elsewhere')
    await ctx.session.set('user', 'ada')
  },
  'GET /vary': async (ctx: Koa.Context) => {
    ctx.vary('Accept-Encoding')
    ctx.set('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/'])
    await ctx.session.set('user', 'ada')
    ctx.body = { ok: true }
  },
}

interface Started {
  url: string
  engine: ReturnType<typeof controlledEngine>
  errors: unknown[]
  caught: unknown[]
  request(method: string, path: string, jar?: CookieJar): Promise<Response>
}

async function start(Application: KoaClass, options: { catchErrors?: boolean; everyResponse?: boolean } = {}): Promise<Started> {
  const engine = controlledEngine()
  const sessions = createSessions({ engine })
  const app = new Application()
  const errors: unknown[] = []
  const caught: unknown[] = []
  app.on('error', (error) => errors.push(error))
  if (options.everyResponse) {
    app.use(async (ctx, next) => {
      ctx.set('Access-Control-Allow-Origin', 'https://app.example')
      ctx.set('X-Request-Id', 'r1')
      await next()
    })
  }
  if (options.catchErrors) {
    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        caught.push(error)
        ctx.status = (error as { status?: number }).status ?? 500
        ctx.body = { error: isSessionError(error) ? error.code : 'other' }
      }
    })
  }
  app.use(session(sessions))
  app.use(routes(extraRoutes as never))
  const server = await listen(app)
  cleanups.push(async () => {
    await server.close()
    await sessions.dispose()
  })
  return {
    url: server.url,
    engine,
    errors,
    caught,
    async request(method, path, jar) {
      const cookie = jar?.header()
      const response = await fetch(server.url + path, { method, headers: cookie ? { cookie } : {} })
      jar?.apply(response.headers.getSetCookie())
      return response
    },
  }
}

const sessionCookies = (response: Response) => response.headers.getSetCookie().filter((c) => c.startsWith('sessionid='))

for (const [name, Application] of [
  ['koa 3', Koa],
  ['koa 2', Koa2],
] as const) {
  describe(`@sess/koa on ${name}`, () => {
    it('a write after the middleware finished (the final commit) rejects with COMMITTED and is not half-saved', async () => {
      const { request } = await start(Application)
      const jar = new CookieJar()
      const response = await request('GET', '/late', jar)
      expect(response.status).toBe(200)
      expect(sessionCookies(response)).toHaveLength(1)
      expect(await lateWrite).toBe('COMMITTED')
      expect(await (await request('GET', '/data', jar)).json()).toEqual({ early: true })
    })

    it('ctx.throw(401) in a handler: Koa answers 401, nothing is saved, the session stays as it was', async () => {
      const { request, engine } = await start(Application)
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const key = jar.get('sessionid')
      const denied = await request('POST', '/deny', jar)
      expect(denied.status).toBe(401)
      expect(await denied.text()).toBe('who are you?')
      expect(sessionCookies(denied)).toEqual([])
      expect(jar.get('sessionid')).toBe(key)
      expect(await (await request('GET', '/data', jar)).json()).toEqual({ count: 1 })
      expect(engine.size).toBe(1)
    })

    it('a request that never touches the session gets exactly the headers it would get without the middleware', async () => {
      const headersOf = async (withSession: boolean) => {
        const app = new Application()
        if (withSession) app.use(session(createSessions({ engine: controlledEngine() })))
        app.use(routes())
        const server = await listen(app)
        cleanups.push(server.close)
        const response = await fetch(`${server.url}/noop`, { headers: { cookie: `sessionid=${'a'.repeat(32)}; other=1` } })
        expect(await response.text()).toBe('noop')
        return [...response.headers].filter(([name]) => name !== 'date')
      }
      expect(await headersOf(true)).toEqual(await headersOf(false))
    })

    it('a streamed body goes out after the save, with the session cookie', async () => {
      const { request } = await start(Application)
      const jar = new CookieJar()
      const first = await request('GET', '/stream', jar)
      expect(first.status).toBe(200)
      expect(sessionCookies(first)).toHaveLength(1)
      expect(await first.text()).toBe('count 1 streamed')
      const second = await request('GET', '/stream', jar)
      expect(await second.text()).toBe('count 2 streamed')
      expect(await (await request('GET', '/data', jar)).json()).toEqual({ count: 2 })
    })

    it('a streamed body whose save fails is never sent: 500 instead', async () => {
      const { request, engine, errors } = await start(Application)
      const jar = new CookieJar()
      await request('GET', '/stream', jar)
      engine.failWrites = true
      const failed = await request('GET', '/stream', jar)
      expect(failed.status).toBe(500)
      expect(await failed.text()).toBe('Internal Server Error')
      expect(sessionCookies(failed)).toEqual([])
      expect(errors).toHaveLength(1)
      expect(isSessionError(errors[0], 'ENGINE')).toBe(true)
    })

    it("keeps the app's Vary and all of its Set-Cookie values", async () => {
      const { request } = await start(Application)
      const response = await request('GET', '/vary')
      expect(response.headers.get('vary')).toBe('Accept-Encoding, Cookie')
      const cookies = response.headers.getSetCookie()
      expect(cookies.slice(0, 2)).toEqual(['a=1; Path=/', 'b=2; Path=/'])
      expect(cookies[2]).toMatch(/^sessionid=[a-z0-9]{32}; /)
      expect(cookies).toHaveLength(3)
    })

    it("a failed save drops the handler's response headers (cookies, redirect, ETag) and keeps those for every response", async () => {
      const { request, engine } = await start(Application, { everyResponse: true })
      engine.failWrites = true
      const response = await request('GET', '/located')
      expect(response.status).toBe(500)
      expect(response.headers.getSetCookie()).toEqual([])
      expect(response.headers.get('location')).toBeNull()
      expect(response.headers.get('etag')).toBeNull()
      expect(response.headers.get('access-control-allow-origin')).toBe('https://app.example')
      expect(response.headers.get('x-request-id')).toBe('r1')
      expect(await response.text()).toBe('Internal Server Error')
    })

    it("a failed save reaches the app's own error middleware as a SessionError, with Koa's error conventions", async () => {
      const { request, engine, caught, errors } = await start(Application, { catchErrors: true })
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      engine.failWrites = true
      const failed = await request('GET', '/counter', jar)
      expect(failed.status).toBe(500)
      expect(await failed.json()).toEqual({ error: 'ENGINE' })
      const located = await request('GET', '/located')
      expect(located.status).toBe(500)
      expect(located.headers.getSetCookie()).toEqual([]) // the handler's own cookie went with its response
      expect(located.headers.get('location')).toBeNull()
      expect(caught).toHaveLength(2)
      const error = caught[0] as SessionError & { expose: boolean }
      expect(error).toBeInstanceOf(SessionError)
      expect(error.status).toBe(500)
      expect(error.expose).toBe(false)
      expect(errors).toEqual([])
    })

    it('a save that finds the session logged out answers 400 with the reason (expose) and is not logged', async () => {
      const { request, engine, errors } = await start(Application)
      const jar = new CookieJar()
      await request('POST', '/login?user=ada', jar)
      const held = engine.holdNextUpdate()
      const slow = request('POST', '/set/late?value=1', jar.clone())
      await held.entered
      await request('POST', '/logout', jar)
      held.release()
      const response = await slow
      expect(response.status).toBe(400)
      expect(await response.text()).toMatch(/^\[@sess\/\w+\] /)
      expect(errors).toHaveLength(1) // Koa emits every error; its default logger skips exposed ones.
      expect((errors[0] as { expose?: boolean }).expose).toBe(true)
    })
  })
}

describe('session()', () => {
  it('refuses anything but the object createSessions returns', () => {
    for (const bad of [undefined, null, {}, { load() {} }]) {
      expect(() => session(bad as never)).toThrowError(
        expect.objectContaining({ code: 'CONFIG', message: expect.stringMatching(/^\[@sess\/koa\]/) }),
      )
    }
  })

  it('types ctx.session through module augmentation (checked by tsc)', async () => {
    const app = new Koa()
    app.use(session(createSessions({ engine: controlledEngine() })))
    app.use(async (ctx) => {
      const user: string | undefined = await ctx.session.get('user')
      // @ts-expect-error a number is not the declared type of `user`
      await ctx.session.set('user', 1)
      ctx.body = { user: user ?? null }
    })
    const server = await listen(app)
    cleanups.push(server.close)
    expect(await (await fetch(server.url)).json()).toEqual({ user: null })
  })
})
