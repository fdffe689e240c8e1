import type { AddressInfo } from 'node:net'
import type { Sessions } from '@sess/core/binding'
import { CookieJar, delayOf, waitMs, type BindingApp, type BindingData } from '@sess/engine-tests'
import type express from 'express'
import type { Express } from 'express'
import { onTestFinished } from 'vitest'
import { session } from './index.js'

/** `express` (5) or `express4`: both factories have the same shape for these tests. */
export type ExpressFactory = typeof express

/** The binding suite's standard test app (see `describeBinding`), on Express. `extend` adds routes before the standard ones. */
export function standardApp(express: ExpressFactory, sessions: Sessions<BindingData>, extend?: (app: Express) => void): Express {
  const app = express()
  app.use(session(sessions))
  extend?.(app)
  // Express 4 does not forward rejected promises: every async handler goes through `wrap`.
  const wrap =
    (handler: (req: express.Request, res: express.Response) => Promise<unknown>): express.RequestHandler =>
    (req, res, next) => {
      handler(req, res).catch(next)
    }
  app.get(
    '/counter',
    wrap(async (req, res) => {
      const count = ((await req.session.get('count', 0)) as number) + 1
      await req.session.set('count', count)
      res.json({ count })
    }),
  )
  app.get(
    '/read',
    wrap(async (req, res) => {
      res.json({ count: (await req.session.get('count')) ?? null })
    }),
  )
  app.get('/noop', (_req, res) => {
    res.type('text/plain').send('noop')
  })
  app.get(
    '/data',
    wrap(async (req, res) => {
      res.json(Object.fromEntries(await req.session.entries()))
    }),
  )
  app.post(
    '/set/:key',
    wrap(async (req, res) => {
      await req.session.set(String(req.params.key), String(req.query.value))
      res.json({ ok: true })
    }),
  )
  app.post(
    '/login',
    wrap(async (req, res) => {
      await req.session.has('user')
      await waitMs(delayOf(req.query.delay as string | undefined))
      await req.session.cycleKey()
      await req.session.set('user', String(req.query.user))
      res.json({ user: String(req.query.user) })
    }),
  )
  app.post(
    '/increment',
    wrap(async (req, res) => {
      await req.session.has('count')
      await waitMs(delayOf(req.query.delay as string | undefined))
      res.json({ count: await req.session.modify('count', (n = 0) => (n as number) + 1) })
    }),
  )
  app.post(
    '/push',
    wrap(async (req, res) => {
      const item = String(req.query.item)
      await req.session.has('items')
      await waitMs(delayOf(req.query.delay as string | undefined))
      await req.session.modify('items', (list = []) => [...(list as string[]), item])
      res.json({ ok: true })
    }),
  )
  app.post(
    '/logout',
    wrap(async (req, res) => {
      await req.session.flush()
      res.json({ ok: true })
    }),
  )
  app.get(
    '/throw',
    wrap(async (req) => {
      await req.session.set('thrown', true)
      throw new Error('boom')
    }),
  )
  app.get(
    '/fail500',
    wrap(async (req, res) => {
      await req.session.set('failed', true)
      res.status(500).json({ failed: true })
    }),
  )
  app.get(
    '/own-cookie',
    wrap(async (req, res) => {
      res.cookie('app', '1', { path: '/' })
      await req.session.set('own', true)
      res.json({ ok: true })
    }),
  )
  return app
}

/** Serves `app` on 127.0.0.1, port 0. */
export function listen(app: Express): Promise<BindingApp> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1')
    server.once('error', reject)
    server.once('listening', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections()
            server.close((error) => (error ? fail(error) : done()))
          }),
      })
    })
  })
}

/**
 * Serves `app` for the running test (closed when it ends) with one browser's cookie jar: `get(path)` sends the jar's
 * cookies and keeps the ones the response sets.
 */
export async function serveWithJar(app: Express) {
  const server = await listen(app)
  onTestFinished(() => server.close())
  const jar = new CookieJar()
  const get = async (path: string) => {
    const cookie = jar.header()
    const response = await fetch(server.url + path, { headers: cookie ? { cookie } : {} })
    jar.apply(response.headers.getSetCookie())
    return { status: response.status, body: await response.text(), setCookie: response.headers.getSetCookie() }
  }
  return { get, jar }
}

/** A `GET path` route that adds one to the session's `count` through `modify` and answers `{ count }`. */
export function counterRoute(app: Express, path: string): void {
  app.get(path, (req, res, next) => {
    req.session.modify('count', (n = 0) => (n as number) + 1).then((count) => res.json({ count }), next)
  })
}
