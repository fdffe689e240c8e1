import type { CaseApp, ServerCase } from './types.js'
import { importExports } from '../sess.js'

async function honoApp(): Promise<any> {
  const { Hono } = await import('hono')
  return new Hono()
}

/** Mounts a Hono app the way `serve()` from @hono/node-server does, on the bench's own http server. */
async function toListener(app: { fetch: (...a: any[]) => any }): Promise<CaseApp> {
  const { getRequestListener } = await import('@hono/node-server')
  return { listener: getRequestListener(app.fetch) as CaseApp['listener'] }
}

async function honoSessionsApp(env: { secret: string }, kind: 'cookie' | 'memory'): Promise<CaseApp> {
  const { sessionMiddleware, CookieStore, MemoryStore } = await import('hono-sessions')
  const app = await honoApp()
  app.use(
    '*',
    sessionMiddleware({
      store: kind === 'cookie' ? new CookieStore() : new MemoryStore(),
      encryptionKey: env.secret,
      expireAfterSeconds: 1_209_600,
      cookieOptions: { sameSite: 'Lax', path: '/', httpOnly: true },
    }),
  )
  app.get('/hit', (c: any) => {
    const session = c.get('session')
    const count = ((session.get('count') as number | undefined) ?? 0) + 1
    session.set('count', count)
    return c.json({ count })
  })
  app.get('/read', (c: any) => c.json({ count: (c.get('session').get('count') as number | undefined) ?? 0 }))
  app.get('/noop', (c: any) => c.json({ ok: true }))
  return toListener(app)
}

/** The Hono group (on @hono/node-server). */
export const honoCases: ServerCase[] = [
  {
    id: 'hono-bare',
    group: 'hono',
    label: 'hono 4 + @hono/node-server (bare)',
    kind: 'bare',
    sess: false,
    issue: 5,
    create: async () => {
      const app = await honoApp()
      app.get('/hit', (c: any) => c.json({ count: 1 }))
      app.get('/read', (c: any) => c.json({ count: 1 }))
      app.get('/noop', (c: any) => c.json({ ok: true }))
      return toListener(app)
    },
  },
  {
    id: 'hono-sessions-cookie',
    group: 'hono',
    label: 'hono-sessions CookieStore',
    kind: 'cookie',
    sess: false,
    issue: 5,
    create: (env) => honoSessionsApp(env, 'cookie'),
  },
  {
    id: 'hono-sessions-memory',
    group: 'hono',
    label: 'hono-sessions MemoryStore (+encryptionKey)',
    kind: 'store',
    sess: false,
    issue: 5,
    create: (env) => honoSessionsApp(env, 'memory'),
  },
  {
    id: 'sess-hono-memory',
    group: 'hono',
    label: '@sess/hono + @sess/memory',
    kind: 'store',
    sess: true,
    issue: 5,
    create: async () => {
      const { createSessions } = await importExports('@sess/core', ['createSessions'])
      const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
      const { session } = await importExports('@sess/hono', ['session'])
      const app = await honoApp()
      app.use('*', session(createSessions({ engine: memoryEngine() })))
      app.get('/hit', async (c: any) => {
        const s = c.get('session')
        const count = (await s.get('count', 0)) + 1
        await s.set('count', count)
        return c.json({ count })
      })
      app.get('/read', async (c: any) => c.json({ count: await c.get('session').get('count', 0) }))
      app.get('/noop', (c: any) => c.json({ ok: true }))
      return toListener(app)
    },
  },
]
