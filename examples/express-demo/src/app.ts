import { isSessionError, type Session, type Sessions } from '@sess/core'
import { session } from '@sess/express'
import express, { type ErrorRequestHandler, type Express, type Request } from 'express'
import { page } from './page.js'

/** What the demo keeps in a session. */
export type DemoData = {
  user?: string
  count?: number
  [key: string]: unknown
}

declare module '@sess/express' {
  interface SessionDataRegistry {
    data: DemoData
  }
}

/** What `GET /api/session` answers. */
export interface SessionView {
  /** The session key, or `null` when the visitor has no stored session. */
  key: string | null
  data: Record<string, unknown>
  /** When the session expires if saved now (ISO 8601), or `null` without a key. */
  expiresAt: string | null
  /** The cookie ends when the browser closes. */
  expireAtBrowserClose: boolean
}

/** A client mistake: answered 400 with `{ error }`. */
class BadRequest extends Error {
  readonly status = 400
}

const MAX_TEXT = 200

/**
 * The demo app: one HTML page at `/` and the JSON API under `/api` (see the README).
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

  app.get('/api/session', async (req, res) => {
    res.json(await view(req.session))
  })

  app.post('/api/login', async (req, res) => {
    const user = text(body(req).user, 'user')
    await req.session.cycleKey() // against session fixation: same data, new key
    await req.session.set('user', user)
    res.json({ user })
  })

  app.post('/api/logout', async (req, res) => {
    await req.session.flush()
    res.json({ ok: true })
  })

  app.post('/api/counter', async (req, res) => {
    const count = (await req.session.get('count', 0)) ?? 0
    await req.session.set('count', count + 1)
    res.json({ count: count + 1 })
  })

  app.post('/api/set', async (req, res) => {
    const { key, value } = body(req)
    if (value === undefined) throw new BadRequest('value is required (any JSON value)')
    await req.session.set(text(key, 'key'), value)
    res.json({ ok: true })
  })

  app.post('/api/expiry', async (req, res) => {
    const { seconds } = body(req)
    if (seconds !== null && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)) {
      throw new BadRequest('seconds must be a number ≥ 0 (0: until the browser closes) or null (the default policy)')
    }
    await req.session.setExpiry(seconds)
    res.json({ ok: true })
  })

  app.post('/api/clear', async (req, res) => {
    await req.session.clear()
    res.json({ ok: true })
  })

  app.post('/api/cycle', async (req, res) => {
    await req.session.cycleKey()
    res.json({ ok: true })
  })

  app.get('/api/noop', (_req, res) => {
    res.json({ ok: true })
  })

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such endpoint' })
  })
  app.use(errorHandler)
  return app
}

/** The session as the page shows it. */
async function view(s: Session<DemoData>): Promise<SessionView> {
  const data = Object.fromEntries(await s.entries())
  const key = s.key
  return {
    key,
    data,
    expiresAt: key === null ? null : (await s.getExpiryDate()).toISOString(),
    expireAtBrowserClose: await s.expireAtBrowserClose(),
  }
}

function body(req: Request): Record<string, unknown> {
  const value: unknown = req.body
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('send a JSON object (content-type: application/json)')
  return value as Record<string, unknown>
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) throw new BadRequest(`${name} must be a non-empty string of at most ${MAX_TEXT} characters`)
  return value.trim()
}

/** Every error becomes JSON: 400 for bad input (bad JSON, bad fields, unstorable values), else its status or 500. */
const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  let status = 500
  let message = 'internal error'
  if (isSessionError(error)) {
    status = error.code === 'DATA' ? 400 : error.status
    message = error.code === 'NOT_FOUND' ? 'the session ended meanwhile (logged out elsewhere): try again' : error.code === 'DATA' ? error.message : 'the session could not be saved'
  } else if (error instanceof BadRequest) {
    status = 400
    message = error.message
  } else if (typeof (error as { status?: unknown })?.status === 'number' && (error as { status: number }).status < 500) {
    status = (error as { status: number }).status // body-parser: bad JSON (400), too large (413), …
    message = (error as { expose?: boolean }).expose ? String((error as Error).message) : 'bad request'
  }
  if (status >= 500 && process.env.NODE_ENV !== 'test') console.error(error)
  if (res.headersSent) return
  res.status(status).json({ error: message })
}
