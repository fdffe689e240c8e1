import { isSessionError, type Session, type Sessions } from '@sess/core'
import { session } from '@sess/koa'
import Koa, { type Context, type Middleware } from 'koa'
import { page } from './page.js'

/** What the demo keeps in a session. */
export type DemoData = {
  user?: string
  count?: number
  [key: string]: unknown
}

declare module '@sess/koa' {
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

/** A client mistake: answered with its status (400 unless said otherwise) and `{ error }`. */
class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

const MAX_TEXT = 200
const MAX_BODY = 16 * 1024

type Route = (ctx: Context) => Promise<unknown> | unknown

/** The JSON API: `METHOD path` → what the route answers (becomes `ctx.body`). */
const api: Record<string, Route> = {
  'GET /api/session': (ctx) => view(ctx.session),

  async 'POST /api/login'(ctx) {
    const user = text((await body(ctx)).user, 'user')
    await ctx.session.cycleKey() // against session fixation: same data, new key
    await ctx.session.set('user', user)
    return { user }
  },

  async 'POST /api/logout'(ctx) {
    await ctx.session.flush()
    return { ok: true }
  },

  async 'POST /api/counter'(ctx) {
    const count = (await ctx.session.get('count', 0)) ?? 0
    await ctx.session.set('count', count + 1)
    return { count: count + 1 }
  },

  async 'POST /api/set'(ctx) {
    const { key, value } = await body(ctx)
    if (value === undefined) throw new BadRequest('value is required (any JSON value)')
    await ctx.session.set(text(key, 'key'), value)
    return { ok: true }
  },

  async 'POST /api/expiry'(ctx) {
    const { seconds } = await body(ctx)
    if (seconds !== null && (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)) {
      throw new BadRequest('seconds must be a number ≥ 0 (0: until the browser closes) or null (the default policy)')
    }
    await ctx.session.setExpiry(seconds)
    return { ok: true }
  },

  async 'POST /api/clear'(ctx) {
    await ctx.session.clear()
    return { ok: true }
  },

  async 'POST /api/cycle'(ctx) {
    await ctx.session.cycleKey()
    return { ok: true }
  },

  'GET /api/noop': () => ({ ok: true }),
}

/**
 * The demo app: one HTML page at `/` and the JSON API under `/api` (see the README), the same
 * contract as the Express and Hono demos. Testable on its own: pass any `createSessions<DemoData>(…)`.
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
    const route = api[`${ctx.method} ${ctx.path}`]
    if (route) {
      ctx.body = await route(ctx)
    } else if (ctx.path === '/api' || ctx.path.startsWith('/api/')) {
      ctx.status = 404
      ctx.body = { error: 'no such endpoint' }
    }
  })
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

/** The request's JSON object body (at most 16 KiB); anything else is a 400 (413 when too large). */
async function body(ctx: Context): Promise<Record<string, unknown>> {
  let value: unknown
  if (ctx.is('application/json')) {
    if (ctx.request.length > MAX_BODY) throw new BadRequest('request entity too large', 413)
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length
      if (size > MAX_BODY) throw new BadRequest('request entity too large', 413)
      chunks.push(chunk)
    }
    try {
      value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
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
 * or 500. Outside the session middleware, so a failed save (thrown by `@sess/koa`) lands here too.
 */
const errorsAsJson: Middleware = async (ctx, next) => {
  try {
    await next()
  } catch (error) {
    let status = 500
    let message = 'internal error'
    if (isSessionError(error)) {
      status = error.code === 'DATA' ? 400 : error.status
      message = error.code === 'NOT_FOUND' ? 'the session ended meanwhile (logged out elsewhere): try again' : error.code === 'DATA' ? error.message : 'the session could not be saved'
    } else if (error instanceof BadRequest) {
      status = error.status
      message = error.message
    }
    if (status >= 500 && process.env.NODE_ENV !== 'test') console.error(error)
    if (ctx.headerSent) return
    for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name) // nothing the failed handler set goes out
    ctx.status = status
    ctx.body = { error: message }
  }
}
