import type { Sessions } from '@sess/core'
import { demoPage, errorReply, findEndpoint, isApiPath, noSuchEndpoint, readJsonBody, type DemoData } from '@sess-examples/demo-kit'
import { session } from '@sess/koa'
import Koa, { type Middleware } from 'koa'

export type { DemoData, SessionView } from '@sess-examples/demo-kit'

declare module '@sess/koa' {
  interface SessionDataRegistry {
    data: DemoData
  }
}

const page = demoPage('Koa')

/**
 * The demo app: one HTML page at `/` and the JSON API under `/api` (see the README), the same contract as
 * the Express and Hono demos. Koa has no router or body parser: a request is matched against the shared
 * endpoint table of `@sess-examples/demo-kit`, whose `readJsonBody` reads the JSON body (16 KiB at most).
 * Testable on its own: pass any `createSessions<DemoData>(…)`.
 */
export function createApp(sessions: Sessions<DemoData>): Koa {
  const app = new Koa()
  app.use(errorsAsJson)
  app.use(session(sessions))
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/') {
      ctx.type = 'html'
      ctx.body = page
      return
    }
    const endpoint = findEndpoint(ctx.method, ctx.path)
    const reply = endpoint
      ? await endpoint.handle(
          ctx.session,
          endpoint.body
            ? await readJsonBody({ contentType: ctx.get('content-type'), contentLength: ctx.request.length, body: ctx.req })
            : undefined,
          { sessions, userAgent: ctx.get('user-agent') || null, ip: ctx.ip },
        )
      : isApiPath(ctx.path)
        ? noSuchEndpoint
        : undefined
    if (reply) {
      ctx.status = reply.status
      ctx.body = reply.json
    }
  })
  return app
}

/**
 * Every error becomes JSON (see `errorReply`). Outside the session middleware, so a failed save (thrown by
 * `@sess/koa`) lands here too.
 */
const errorsAsJson: Middleware = async (ctx, next) => {
  try {
    await next()
  } catch (error) {
    const reply = errorReply(error)
    if (ctx.headerSent) return
    for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name) // nothing the failed handler set goes out
    ctx.status = reply.status
    ctx.body = reply.json
  }
}
