import type { CaseApp, ServerCase } from './types.js'
import { importExports } from '../sess.js'

type Ctx = { path: string; body: unknown; session?: any }

async function koaApp(): Promise<any> {
  const Koa = (await import('koa')).default
  return new Koa()
}

function routes(app: any, hit: (ctx: Ctx) => unknown, read: (ctx: Ctx) => unknown): CaseApp {
  app.use(async (ctx: Ctx) => {
    if (ctx.path === '/hit') await hit(ctx)
    else if (ctx.path === '/read') await read(ctx)
    else if (ctx.path === '/noop') ctx.body = { ok: true }
  })
  return { listener: app.callback() }
}

async function koaSessionApp(env: { secret: string }, store?: unknown): Promise<CaseApp> {
  const session = (await import('koa-session')).default as unknown as (opts: object, app: unknown) => unknown
  const app = await koaApp()
  app.keys = [env.secret]
  app.use(session({ key: 'koa.sess', maxAge: 1_209_600_000, signed: true, ...(store ? { store } : {}) }, app))
  return routes(
    app,
    (ctx) => {
      ctx.session.count = (ctx.session.count ?? 0) + 1
      ctx.body = { count: ctx.session.count }
    },
    (ctx) => {
      ctx.body = { count: ctx.session.count ?? 0 }
    },
  )
}

/** The Koa group. */
export const koaCases: ServerCase[] = [
  {
    id: 'koa-bare',
    group: 'koa',
    label: 'koa 3 (bare)',
    kind: 'bare',
    sess: false,
    issue: 5,
    create: async () =>
      routes(
        await koaApp(),
        (ctx) => {
          ctx.body = { count: 1 }
        },
        (ctx) => {
          ctx.body = { count: 1 }
        },
      ),
  },
  {
    id: 'koa-session-cookie',
    group: 'koa',
    label: 'koa-session (signed cookie)',
    kind: 'cookie',
    sess: false,
    issue: 5,
    create: (env) => koaSessionApp(env),
  },
  {
    id: 'koa-session-map',
    group: 'koa',
    label: 'koa-session + Map external store',
    kind: 'store',
    sess: false,
    issue: 5,
    create: (env) => {
      const map = new Map<string, unknown>()
      const store = {
        get: (key: string) => map.get(key),
        set: (key: string, value: unknown) => void map.set(key, value),
        destroy: (key: string) => void map.delete(key),
      }
      return koaSessionApp(env, store)
    },
  },
  {
    id: 'sess-koa-memory',
    group: 'koa',
    label: '@sess/koa + @sess/memory',
    kind: 'store',
    sess: true,
    issue: 5,
    create: async () => {
      const { createSessions } = await importExports('@sess/core', ['createSessions'])
      const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
      const { session } = await importExports('@sess/koa', ['session'])
      const app = await koaApp()
      app.use(session(createSessions({ engine: memoryEngine() })))
      return routes(
        app,
        async (ctx) => {
          const count = (await ctx.session.get('count', 0)) + 1
          await ctx.session.set('count', count)
          ctx.body = { count }
        },
        async (ctx) => {
          ctx.body = { count: await ctx.session.get('count', 0) }
        },
      )
    },
  },
]
