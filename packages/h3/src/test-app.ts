import type { Sessions } from '@sess/core/binding'
import { delayOf, waitMs, type BindingApp, type BindingData } from '@sess/engine-tests'
import { getQuery, getRouterParam, H3, serve, setCookie } from 'h3'
import { session, useSession } from './index.js'

declare module './index.js' {
  interface SessionDataRegistry {
    data: BindingData
  }
}

/** The binding suite's standard test app (see `describeBinding`) on h3 2, with h3's default error handling. */
export function standardApp(sessions: Sessions<BindingData>, extend?: (app: H3) => void): H3 {
  const app = new H3({ silent: true })
  app.use(session(sessions))
  extend?.(app)
  app.get('/counter', async (event) => {
    const count = ((await useSession(event).get('count', 0)) ?? 0) + 1
    await useSession(event).set('count', count)
    return { count }
  })
  app.get('/read', async (event) => ({ count: (await useSession(event).get('count')) ?? null }))
  app.get('/noop', () => 'noop')
  app.get('/data', async (event) => Object.fromEntries(await useSession(event).entries()))
  app.post('/set/:key', async (event) => {
    await useSession(event).set(getRouterParam(event, 'key')!, String(getQuery(event).value))
    return { ok: true }
  })
  app.post('/login', async (event) => {
    const user = String(getQuery(event).user)
    await useSession(event).has('user')
    await waitMs(delayOf(getQuery(event).delay as string | undefined))
    await useSession(event).cycleKey()
    await useSession(event).set('user', user)
    return { user }
  })
  app.post('/increment', async (event) => {
    await useSession(event).has('count')
    await waitMs(delayOf(getQuery(event).delay as string | undefined))
    return { count: await useSession(event).modify('count', (n = 0) => n + 1) }
  })
  app.post('/push', async (event) => {
    await useSession(event).has('items')
    await waitMs(delayOf(getQuery(event).delay as string | undefined))
    await useSession(event).modify('items', (list = []) => [...list, String(getQuery(event).item)])
    return { ok: true }
  })
  app.post('/logout', async (event) => {
    await useSession(event).flush()
    return { ok: true }
  })
  app.get('/throw', async (event) => {
    await useSession(event).set('thrown', true)
    throw new Error('the handler failed')
  })
  app.get('/fail500', async (event) => {
    await useSession(event).set('failed', true)
    event.res.status = 500
    return { failed: true }
  })
  app.get('/own-cookie', async (event) => {
    setCookie(event, 'app', '1', { path: '/' })
    await useSession(event).set('own', true)
    return { ok: true }
  })
  return app
}

/** Serves `app` with h3's own `serve` (srvx on node:http) on 127.0.0.1, port 0. */
export async function listen(app: H3): Promise<BindingApp> {
  const server = serve(app, { hostname: '127.0.0.1', port: 0, silent: true })
  await server.ready()
  return { url: server.url!.replace(/\/$/, ''), close: () => server.close(true) }
}
