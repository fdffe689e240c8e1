import type { Sessions } from '@sess/core'
import {
  DemoError,
  demoApi,
  demoPage,
  errorReply,
  isApiPath,
  MAX_BODY,
  noSuchEndpoint,
  readJsonBody,
  type DemoData,
  type DemoReply,
} from '@sess-examples/demo-kit'
import { session, type SessionEnv } from '@sess/hono'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export type { DemoData, SessionView } from '@sess-examples/demo-kit'

/** The demo's Hono environment: `c.get('session')` is a `Session<DemoData>`. */
export type DemoEnv = SessionEnv<DemoData>

const page = demoPage('Hono')

/**
 * The demo app: one HTML page at `/` and the JSON API under `/api` (see the README), the same contract as
 * the Express and Koa demos: Hono's router and `bodyLimit()` (413 past 16 KiB on any route) in front of the
 * shared, framework-neutral endpoints of `@sess-examples/demo-kit`. Testable on its own: pass any
 * `createSessions<DemoData>(…)`. Web-standard: `app.fetch` runs on @hono/node-server (see `start.ts`),
 * Bun, Deno or a worker.
 */
export function createApp(sessions: Sessions<DemoData>): Hono<DemoEnv> {
  const app = new Hono<DemoEnv>()
  app.use(
    bodyLimit({
      maxSize: MAX_BODY,
      onError: () => {
        throw new DemoError('request entity too large', 413)
      },
    }),
  )
  app.use(session(sessions))

  app.get('/', (c) => c.html(page))

  for (const endpoint of demoApi) {
    app.on(endpoint.method, endpoint.path, async (c) => {
      const body = endpoint.body ? await readJsonBody({ contentType: c.req.header('content-type'), body: c.req.raw.body }) : undefined
      return send(c, await endpoint.handle(c.get('session'), body, { sessions, userAgent: c.req.header('user-agent'), ip: peerAddress(c) }))
    })
  }

  app.notFound((c) => (isApiPath(c.req.path) ? send(c, noSuchEndpoint) : c.text('Not Found', 404)))
  // Every error becomes JSON (see `errorReply`); a failed save (thrown by `@sess/hono` after the handler) too.
  app.onError((error, c) => send(c, errorReply(error)))
  return app
}

/**
 * The peer's address where the runtime tells it: @hono/node-server hands the Node request over as `c.env.incoming`.
 * Web-standard runtimes have no socket to ask (a worker's `CF-Connecting-IP` is Cloudflare's to set, and a
 * client's to forge elsewhere), so the device list shows no address there.
 */
function peerAddress(c: Context): string | null {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return env?.incoming?.socket?.remoteAddress ?? null
}

function send(c: Context, reply: DemoReply): Response {
  return c.json(reply.json, reply.status as ContentfulStatusCode)
}
