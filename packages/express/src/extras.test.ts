import { createSessions } from '@sess/core'
import { isSessionError, type Sessions } from '@sess/core/binding'
import { controlledEngine, CookieJar, type BindingData } from '@sess/engine-tests'
import express5 from 'express'
import express4 from 'express4'
import { describe, expect, it, onTestFinished } from 'vitest'
import { session } from './index.js'
import { listen, type ExpressFactory } from './test-app.js'

type App = ReturnType<ExpressFactory>

for (const [label, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as Array<[string, ExpressFactory]>) {
  describe(`@sess/express extras on ${label}`, () => {
    /** An app with the session middleware, `routes`, and an error handler that reports what it got. */
    const start = async (routes: (app: App) => void, options: { errorHandler?: boolean } = {}) => {
      const engine = controlledEngine()
      const sessions: Sessions<BindingData> = createSessions<BindingData>({ engine })
      const app = express()
      app.use(session(sessions))
      routes(app)
      const seen: unknown[] = []
      if (options.errorHandler !== false) {
        app.use((error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
          seen.push(error)
          const status = (error as { status?: number }).status ?? 500
          res.status(status === 400 ? 400 : 503).json({ handled: isSessionError(error) ? error.code : String(error) })
        })
      }
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
      return { engine, sessions, seen, request }
    }
    const sessionCookies = (setCookie: string[]) => setCookie.filter((c) => c.startsWith('sessionid='))

    it('a streamed response (res.write before res.end) carries the cookie and arrives whole', async () => {
      const { request } = await start((app) => {
        app.get('/stream', (req, res, next) => {
          req.session.set('streamed', 'yes').then(() => {
            res.setHeader('content-type', 'text/plain')
            res.write('one,')
            res.write('two,')
            setTimeout(() => res.end('three'), 5)
          }, next)
        })
        app.get('/data', (req, res, next) => {
          req.session.entries().then((entries) => res.json(Object.fromEntries(entries)), next)
        })
      })
      const jar = new CookieJar()
      const response = await request('GET', '/stream', jar)
      expect(response.status).toBe(200)
      expect(response.body).toBe('one,two,three')
      expect(sessionCookies(response.setCookie)).toHaveLength(1)
      expect(response.headers.get('vary')).toMatch(/cookie/i)
      expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ streamed: 'yes' })
    })

    it('a streamed response whose save fails becomes the error handler’s 5xx, not a partial 200', async () => {
      const { request, engine, seen } = await start((app) => {
        app.get('/stream', (req, res, next) => {
          req.session.set('streamed', 'yes').then(() => {
            res.write('partial')
            res.end('rest')
          }, next)
        })
      })
      engine.failWrites = true
      const response = await request('GET', '/stream', new CookieJar())
      expect(response.status).toBe(503)
      expect(JSON.parse(response.body)).toEqual({ handled: 'ENGINE' })
      expect(seen).toHaveLength(1)
    })

    it('a write after res.write (the final commit) rejects with COMMITTED; save() before streaming persists', async () => {
      const outcomes: string[] = []
      const { request } = await start((app) => {
        app.get('/stream-then-set', (req, res, next) => {
          req.session.set('before', 1).then(async () => {
            res.setHeader('content-type', 'text/plain')
            res.write('streaming,')
            try {
              await req.session.set('after', 2)
              outcomes.push('saved')
            } catch (error) {
              outcomes.push(isSessionError(error, 'COMMITTED') ? 'COMMITTED' : String(error))
            }
            outcomes.push(String(await req.session.get('before'))) // reads still work
            res.end('done')
          }, next)
        })
        app.get('/save-then-stream', (req, res, next) => {
          req.session.set('saved', 'early').then(async () => {
            await req.session.save()
            res.write('streaming,')
            res.end('done')
          }, next)
        })
        app.get('/data', (req, res, next) => {
          req.session.entries().then((entries) => res.json(Object.fromEntries(entries)), next)
        })
      })
      const jar = new CookieJar()
      const streamed = await request('GET', '/stream-then-set', jar)
      expect(streamed.status).toBe(200)
      expect(streamed.body).toBe('streaming,done')
      expect(outcomes).toEqual(['COMMITTED', '1'])
      expect(JSON.parse((await request('GET', '/data', jar)).body)).toEqual({ before: 1 })
      const fresh = new CookieJar()
      const early = await request('GET', '/save-then-stream', fresh)
      expect(early.body).toBe('streaming,done')
      expect(sessionCookies(early.setCookie)).toHaveLength(1)
      expect(JSON.parse((await request('GET', '/data', fresh)).body)).toEqual({ saved: 'early' })
    })

    it("merges the app's own Vary header with Cookie", async () => {
      const { request } = await start((app) => {
        app.get('/vary', (req, res, next) => {
          res.vary('Accept-Encoding')
          res.setHeader('Vary', 'Accept, Accept-Encoding')
          req.session.get('count').then(() => res.send('ok'), next)
        })
        app.get('/vary-star', (req, res, next) => {
          res.setHeader('Vary', '*')
          req.session.get('count').then(() => res.send('ok'), next)
        })
      })
      const response = await request('GET', '/vary')
      expect(response.headers.get('vary')).toBe('Accept, Accept-Encoding, Cookie')
      expect((await request('GET', '/vary-star')).headers.get('vary')).toBe('*')
    })

    it('a failed save reaches the app’s error handler through next(err), with the handler’s body headers and cookies dropped', async () => {
      const { request, engine, seen } = await start((app) => {
        app.get('/save', (_req, res, next) => {
          res.setHeader('x-before', 'kept') // e.g. a security header set by earlier middleware
          next()
        })
        app.get('/save', (req, res, next) => {
          req.session.set('count', 1).then(() => {
            res.cookie('app', '1')
            res.attachment('report.csv')
            res.type('text/csv').send('ok')
          }, next)
        })
      })
      engine.failWrites = true
      const response = await request('GET', '/save')
      expect(response.status).toBe(503)
      expect(JSON.parse(response.body)).toEqual({ handled: 'ENGINE' })
      expect(response.headers.get('content-disposition')).toBeNull()
      expect(response.headers.get('content-type')).toMatch(/^application\/json/)
      expect(response.headers.get('x-before')).toBe('kept')
      expect(response.setCookie).toEqual([])
      expect(seen).toHaveLength(1)
      expect(isSessionError(seen[0], 'ENGINE')).toBe(true)
    })

    it('without an error handler of its own the app answers 500 (Express’s final handler)', async () => {
      const { request, engine } = await start(
        (app) => {
          app.get('/save', (req, res, next) => {
            req.session.set('count', 1).then(() => res.json({ ok: true }), next)
          })
        },
        { errorHandler: false },
      )
      engine.failWrites = true
      const response = await request('GET', '/save')
      expect(response.status).toBe(500)
      expect(response.body).not.toContain('"ok"')
    })

    it('a failed save of a route inside a mounted router reaches the app-level error handler', async () => {
      const { request, engine, seen } = await start((app) => {
        const router = express.Router()
        router.post('/set', (req, res, next) => {
          req.session.set('count', 1).then(() => res.json({ ok: true }), next)
        })
        app.use('/api', router)
      })
      engine.failWrites = true
      const response = await request('POST', '/api/set')
      expect(response.status).toBe(503)
      expect(seen).toHaveLength(1)
    })

    it('res.writeHead with its own headers (Set-Cookie included) keeps them and adds the session cookie', async () => {
      const { request } = await start((app) => {
        app.get('/head', (req, res, next) => {
          req.session.set('count', 7).then(() => {
            res.writeHead(201, { 'content-type': 'text/plain', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] })
            res.end('created')
          }, next)
        })
        app.get('/head-reason', (req, res, next) => {
          req.session.set('count', 8).then(() => {
            res.writeHead(202, 'Queued', ['x-array', 'yes'])
            res.end()
          }, next)
        })
      })
      const response = await request('GET', '/head')
      expect(response.status).toBe(201)
      expect(response.body).toBe('created')
      expect(response.setCookie.slice(0, 2)).toEqual(['a=1; Path=/', 'b=2; Path=/'])
      expect(sessionCookies(response.setCookie)).toHaveLength(1)
      const reason = await request('GET', '/head-reason')
      expect(reason.status).toBe(202)
      expect(reason.headers.get('x-array')).toBe('yes')
      expect(sessionCookies(reason.setCookie)).toHaveLength(1)
    })

    it('a header the app passes to writeHead that Node refuses goes to the error handler, not an unhandled rejection', async () => {
      const { request, seen } = await start((app) => {
        app.get('/bad-head', (req, res, next) => {
          req.session.set('count', 1).then(() => {
            res.writeHead(200, { 'bad header': 'x' })
            res.end('never')
          }, next)
        })
      })
      const response = await request('GET', '/bad-head')
      expect(response.status).toBe(503)
      expect(seen).toHaveLength(1)
      expect(String(seen[0])).toMatch(/header/i)
    })

    it('a request that never touches the session gets exactly the headers it would get without the middleware', async () => {
      const handler = (_req: express5.Request, res: express5.Response) => {
        res.setHeader('vary', 'Accept')
        res.json({ ok: true })
      }
      const { request } = await start((app) => app.get('/noop', handler))
      const bare = express()
      bare.get('/noop', handler)
      const server = await listen(bare)
      onTestFinished(() => server.close())
      const jar = new CookieJar()
      jar.apply(['sessionid=abcdefghijklmnopqrstuvwxyz012345'])
      const withSessions = await request('GET', '/noop', jar)
      const without = await fetch(`${server.url}/noop`, { headers: { cookie: jar.header()! } })
      const names = (headers: Headers) => [...headers.keys()].filter((name) => name !== 'date').sort()
      expect(names(withSessions.headers)).toEqual(names(without.headers))
      expect(withSessions.headers.get('vary')).toBe('Accept')
      expect(withSessions.body).toBe(await without.text())
    })

    it('session() refuses anything but the object createSessions returns', () => {
      expect(() => session(undefined as never)).toThrow(/createSessions/)
      expect(() => session({} as never)).toThrow(expect.objectContaining({ code: 'CONFIG' }))
    })
  })
}
