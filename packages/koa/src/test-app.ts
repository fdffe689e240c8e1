import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import type { Sessions } from '@sess/core/binding'
import { delayOf, waitMs, type BindingApp, type BindingData } from '@sess/engine-tests'
import type Koa from 'koa'
import type { Middleware, ParameterizedContext } from 'koa'
import { session } from './index.js'

/** A Koa application class: Koa 3 (`koa`) or Koa 2 (`koa2`). */
export type KoaClass = new () => Koa

type Ctx = ParameterizedContext<any, any, any>
type Route = (ctx: Ctx) => Promise<void> | void

const json = (ctx: Ctx, body: unknown) => {
  ctx.body = body
}

/** The standard routes of the binding suite (see `describeBinding`), on plain Koa without a router. */
export const standardRoutes: Record<string, Route> = {
  'GET /counter': async (ctx) => {
    const count = ((await ctx.session.get('count', 0)) as number) + 1
    await ctx.session.set('count', count)
    json(ctx, { count })
  },
  'GET /read': async (ctx) => json(ctx, { count: (await ctx.session.get('count')) ?? null }),
  'GET /noop': (ctx) => {
    ctx.body = 'noop'
  },
  'GET /data': async (ctx) => json(ctx, Object.fromEntries(await ctx.session.entries())),
  'POST /login': async (ctx) => {
    const user = String(ctx.query.user)
    await ctx.session.has('user')
    await waitMs(delayOf(ctx.query.delay as string | undefined))
    await ctx.session.cycleKey()
    await ctx.session.set('user', user)
    json(ctx, { user })
  },
  'POST /increment': async (ctx) => {
    await ctx.session.has('count')
    await waitMs(delayOf(ctx.query.delay as string | undefined))
    json(ctx, { count: await ctx.session.modify('count', (n = 0) => (n as number) + 1) })
  },
  'POST /push': async (ctx) => {
    const item = String(ctx.query.item)
    await ctx.session.has('items')
    await waitMs(delayOf(ctx.query.delay as string | undefined))
    await ctx.session.modify('items', (list = []) => [...(list as string[]), item])
    json(ctx, { ok: true })
  },
  'POST /logout': async (ctx) => {
    await ctx.session.flush()
    json(ctx, { ok: true })
  },
  'GET /throw': async (ctx) => {
    await ctx.session.set('thrown', true)
    throw new Error('the handler failed')
  },
  'GET /fail500': async (ctx) => {
    await ctx.session.set('failed', true)
    ctx.status = 500
    json(ctx, { failed: true })
  },
  'GET /own-cookie': async (ctx) => {
    ctx.cookies.set('app', '1', { path: '/', httpOnly: false })
    await ctx.session.set('own', true)
    json(ctx, { ok: true })
  },
}

/** A middleware that answers the standard routes (`POST /set/:key` included) and 404 otherwise. */
export function routes(extra: Record<string, Route> = {}): Middleware<any, any, any> {
  const table = { ...standardRoutes, ...extra }
  return async (ctx) => {
    const route = table[`${ctx.method} ${ctx.path}`]
    if (route) return route(ctx)
    if (ctx.method === 'POST' && ctx.path.startsWith('/set/')) {
      await ctx.session.set(decodeURIComponent(ctx.path.slice(5)), String(ctx.query.value))
      json(ctx, { ok: true })
    }
  }
}

/** Listens on 127.0.0.1, port 0. */
export async function listen(app: Koa): Promise<BindingApp> {
  app.silent = true
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

/** Serves the standard test app with `session(sessions)` on the given Koa. */
export function startStandardApp(
  Application: KoaClass,
  sessions: Sessions<BindingData>,
  extra?: Record<string, Route>,
): Promise<BindingApp> {
  const app = new Application()
  app.use(session(sessions))
  app.use(routes(extra))
  return listen(app)
}
