import { isSessionError, type Session, type Sessions } from '@sess/core'
import { session, type SessionEnv } from '@sess/hono'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { page } from './page.js'

/** What the demo keeps in a session. */
export type DemoData = {
  user?: string
  count?: number
  [key: string]: unknown
}

/** The demo's Hono environment: `c.get('session')` is a `Session<DemoData>`. */
export type DemoEnv = SessionEnv<DemoData>

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

/** A client mistake: answered with its status (400 unless said otherwise) and `{ error }`. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly status: ContentfulStatusCode = 400,
  ) {
    super(message)
  }
}

/** Tests run with NODE_ENV=test: expected 5xx are not logged. `process` may not exist (workers). */
const quiet = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV === 'test'
const MAX_TEXT = 200
const MAX_BODY = 16 * 1024

/**
 * The demo app: one HTML page at `/` and the JSON API under `/api` (see the README), the same
 * contract as the Express and Koa demos. Testable on its own: pass any `createSessions<DemoData>(…)`.
 * Web-standard: `app.fetch` runs on @hono/node-server (see `start.ts`), Bun, Deno or a worker.
 */
export function createApp(sessions: Sessions<DemoData>): Hono<DemoEnv> {
  const app = new Hono<DemoEnv>()
  app.use(
    bodyLimit({
      maxSize: MAX_BODY,
      onError: () => {
        throw new BadRequest('request entity too large', 413)
      },
    }),
  )
  app.use(session(sessions))

  app.get('/', (c) => c.html(page))

  app.get('/api/session', async (c) => c.json(await view(c.get('session'))))

  app.post('/api/login', async (c) => {
    const user = text((await body(c)).user, 'user')
    await c.get('session').cycleKey() // against session fixation: same data, new key
    await c.get('session').set('user', user)
    return c.json({ user })
  })

  app.post('/api/logout', async (c) => {
    await c.get('session').flush()
    return c.json({ ok: true })
  })

  app.post('/api/counter', async (c) => {
    const count = (await c.get('session').get('count', 0)) ?? 0
    await c.get('session').set('count', count + 1)
    return c.json({ count: count + 1 })
  })

  app.post('/api/set', async (c) => {
    const { key, value } = await body(c)
    if (value === undefined) throw new BadRequest('value is required (any JSON value)')
    await c.get('session').set(text(key, 'key'), value)
    return c.json({ ok: true })
  })

  app.post('/api/expiry', async (c) => {
    const { seconds } = await body(c)
    if (seconds !== null && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)) {
      throw new BadRequest('seconds must be a number ≥ 0 (0: until the browser closes) or null (the default policy)')
    }
    await c.get('session').setExpiry(seconds)
    return c.json({ ok: true })
  })

  app.post('/api/clear', async (c) => {
    await c.get('session').clear()
    return c.json({ ok: true })
  })

  app.post('/api/cycle', async (c) => {
    await c.get('session').cycleKey()
    return c.json({ ok: true })
  })

  app.get('/api/noop', (c) => c.json({ ok: true }))

  app.notFound((c) => (c.req.path === '/api' || c.req.path.startsWith('/api/') ? c.json({ error: 'no such endpoint' }, 404) : c.text('Not Found', 404)))
  app.onError(errorAsJson)
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

/** The request's JSON object body; anything else is a 400. */
async function body(c: Context): Promise<Record<string, unknown>> {
  let value: unknown
  if (/^application\/(?:[\w.+-]+\+)?json\b/i.test(c.req.header('content-type') ?? '')) {
    try {
      value = await c.req.json()
    } catch (error) {
      if (error instanceof BadRequest) throw error // too large
      throw new BadRequest('the body is not valid JSON')
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('send a JSON object (content-type: application/json)')
  return value as Record<string, unknown>
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT) throw new BadRequest(`${name} must be a non-empty string of at most ${MAX_TEXT} characters`)
  return value.trim()
}

/**
 * Every error becomes JSON: 400 for bad input (bad JSON, bad fields, unstorable values), else its status
 * or 500. A failed save (thrown by `@sess/hono` after the handler) lands here too.
 */
function errorAsJson(error: Error, c: Context): Response {
  let status: ContentfulStatusCode = 500
  let message = 'internal error'
  if (isSessionError(error)) {
    status = error.code === 'DATA' ? 400 : error.status === 400 ? 400 : 500
    message = error.code === 'NOT_FOUND' ? 'the session ended meanwhile (logged out elsewhere): try again' : error.code === 'DATA' ? error.message : 'the session could not be saved'
  } else if (error instanceof BadRequest) {
    status = error.status
    message = error.message
  }
  if (status >= 500 && !quiet) console.error(error)
  return c.json({ error: message }, status)
}
