import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import type { Sessions } from '@sess/core/binding'
import { delayOf, waitMs, type BindingApp, type BindingData } from '@sess/engine-tests'
import { Hono } from 'hono'
import { setCookie } from 'hono/cookie'
import { session, type SessionEnv } from './index.js'

/** The standard app of the binding suite (see `describeBinding`), with Hono's default error handler. */
export function standardApp(sessions: Sessions<BindingData>): Hono<SessionEnv<BindingData>> {
  const app = new Hono<SessionEnv<BindingData>>()
  app.use(session(sessions))
  app.get('/counter', async (c) => {
    const count = ((await c.var.session.get('count', 0)) ?? 0) + 1
    await c.var.session.set('count', count)
    return c.json({ count })
  })
  app.get('/read', async (c) => c.json({ count: (await c.get('session').get('count')) ?? null }))
  app.get('/noop', (c) => c.text('noop'))
  app.get('/data', async (c) => c.json(Object.fromEntries(await c.get('session').entries())))
  app.post('/set/:key', async (c) => {
    await c.get('session').set(c.req.param('key'), c.req.query('value'))
    return c.json({ ok: true })
  })
  app.post('/login', async (c) => {
    const user = c.req.query('user') ?? ''
    await c.get('session').has('user')
    await waitMs(delayOf(c.req.query('delay')))
    await c.get('session').cycleKey()
    await c.get('session').set('user', user)
    return c.json({ user })
  })
  app.post('/increment', async (c) => {
    await c.var.session.has('count')
    await waitMs(delayOf(c.req.query('delay')))
    return c.json({ count: await c.var.session.modify('count', (n = 0) => n + 1) })
  })
  app.post('/push', async (c) => {
    const item = c.req.query('item') ?? ''
    await c.var.session.has('items')
    await waitMs(delayOf(c.req.query('delay')))
    await c.var.session.modify('items', (list = []) => [...list, item])
    return c.json({ ok: true })
  })
  app.post('/logout', async (c) => {
    await c.get('session').flush()
    return c.json({ ok: true })
  })
  app.get('/throw', async (c) => {
    await c.get('session').set('thrown', true)
    throw new Error('the handler failed')
  })
  app.get('/fail500', async (c) => {
    await c.get('session').set('failed', true)
    return c.json({ failed: true }, 500)
  })
  app.get('/own-cookie', async (c) => {
    setCookie(c, 'app', '1', { path: '/' })
    await c.get('session').set('own', true)
    return c.json({ ok: true })
  })
  return app
}

/** Serves a Hono app on @hono/node-server, 127.0.0.1, port 0. */
export function listen(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<BindingApp> {
  return new Promise((resolve) => {
    const server: ServerType = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            if ('closeAllConnections' in server) server.closeAllConnections()
            server.close((error) => (error ? fail(error) : done()))
          }),
      })
    })
  })
}
