import { isSessionError, type Sessions } from '@sess/core'
import { DemoError, demoApi, demoPage, errorReply, noSuchEndpoint, type DemoData, type DemoReply } from '@sess-examples/demo-kit'
import { session } from '@sess/express'
import express, { type ErrorRequestHandler, type Express, type Response } from 'express'

export type { DemoData, SessionView } from '@sess-examples/demo-kit'

declare module '@sess/express' {
  interface SessionDataRegistry {
    data: DemoData
  }
}

const page = demoPage('Express')

/**
 * The demo app: one HTML page at `/` and the JSON API under `/api` (see the README): Express's router and
 * `express.json()` (16 KiB) in front of the shared, framework-neutral endpoints of `@sess-examples/demo-kit`.
 * Testable on its own: pass any `createSessions<DemoData>(…)`.
 */
export function createApp(sessions: Sessions<DemoData>): Express {
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '16kb' }))
  app.use(session(sessions))

  app.get('/', (_req, res) => {
    res.type('html').send(page)
  })

  for (const endpoint of demoApi) {
    app[endpoint.method === 'GET' ? 'get' : 'post'](endpoint.path, async (req, res) => {
      send(res, await endpoint.handle(req.session, req.body, { sessions, userAgent: req.get('user-agent'), ip: req.ip }))
    })
  }

  app.use('/api', (_req, res) => {
    send(res, noSuchEndpoint)
  })
  app.use(errorHandler)
  return app
}

function send(res: Response, reply: DemoReply): void {
  res.status(reply.status).json(reply.json)
}

/** Every error becomes JSON (see `errorReply`); body-parser's (bad JSON 400, too large 413, …) keep their status. */
const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  const reply = errorReply(fromBodyParser(error))
  if (res.headersSent) return
  send(res, reply)
}

/** body-parser's errors are `http-errors` with a 4xx `status` (and `expose` when the message is for the client). */
function fromBodyParser(error: unknown): unknown {
  if (isSessionError(error) || error instanceof DemoError) return error
  const { status, expose, message } = (error ?? {}) as { status?: unknown; expose?: unknown; message?: unknown }
  if (typeof status !== 'number' || status >= 500) return error
  return new DemoError(expose ? String(message) : 'bad request', status)
}
