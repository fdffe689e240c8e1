/**
 * @module @sess/hono
 * Hono binding for `@sess/core`: `app.use(session(sessions))` gives every request `c.get('session')`.
 * Web-standard only (no `node:` imports): runs on @hono/node-server, Bun, Deno and workers alike.
 */
import {
  appendSessionHeaders,
  assertSessions,
  HANDLER_RESPONSE_HEADERS,
  isPromise,
  type Session,
  type SessionData,
  type SessionHeaders,
  type Sessions,
} from '@sess/core/binding'
import type { Context, MiddlewareHandler } from 'hono'

/**
 * The Hono environment the middleware provides: `c.get('session')` / `c.var.session` is a `Session<Data>`.
 *
 * @example
 * ```ts
 * type Data = { user?: string; count?: number }
 * const app = new Hono<SessionEnv<Data>>()
 * app.use(session(createSessions<Data>({ engine })))
 * app.get('/', async (c) => c.json({ count: await c.get('session').get('count', 0) }))
 * ```
 * Alternatively, declare it for every `Hono` at once:
 * `declare module 'hono' { interface ContextVariableMap { session: Session<Data> } }`.
 */
export type SessionEnv<Data extends SessionData = SessionData> = {
  Variables: {
    /** This request's session (lazy: nothing is read until the data is). Set by `@sess/hono`. */
    session: Session<Data>
  }
}

/**
 * The session middleware. Put it before the routes that use `c.get('session')`.
 *
 * Per request it sets `session` to `sessions.load(cookie)` (free until the data is used), awaits the
 * rest of the chain, then commits the session with the response status before the response leaves
 * the app: the session's `Set-Cookie` values are appended to the app's own, and `Vary: Cookie` is added
 * when the session was read. A request that never touched the session costs no extra await.
 *
 * When a handler threw (Hono sets `c.error` and answers through `onError`), nothing is saved. A failed
 * save (`SessionError` from the engine, or `NOT_FOUND` when a parallel request logged the session out)
 * discards the handler's response and is thrown to the app's `onError`: Hono's default handler answers
 * 500 (and logs), or 400 for `NOT_FOUND`. The client never gets a success whose save was lost.
 * The cookie's `Max-Age` never exceeds 400 days (core caps it, as browsers and Hono's cookie helper do).
 *
 * @param sessions - made once with `createSessions({ engine })`.
 * @example
 * ```ts
 * const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })
 * const app = new Hono<SessionEnv>()
 * app.use(session(sessions))
 * app.get('/', async (c) => c.json({ count: await c.get('session').get('count', 0) }))
 * ```
 */
export function session<Data extends SessionData>(sessions: Sessions<Data>): MiddlewareHandler<SessionEnv<Data>> {
  assertSessions(sessions, 'hono', 'session()')
  return async function sessMiddleware(c, next): Promise<void> {
    const current = sessions.load(cookieHeader(c))
    c.set('session', current)
    await next()
    if (c.error !== undefined) return // The handler threw: nothing is saved, onError answered.
    let headers: SessionHeaders | Promise<SessionHeaders>
    try {
      headers = sessions.commit(current, { status: c.res.status, final: true })
      if (isPromise(headers)) headers = await headers
    } catch (error) {
      discardResponse(c)
      throw toHonoError(error)
    }
    if (headers.setCookie.length > 0 || headers.vary) writeHeaders(c, headers)
  }
}

/** Node's request headers, as @hono/node-server passes them in `c.env.incoming`. */
type NodeIncoming = { headers: Record<string, string | string[] | undefined>; rawHeaders: unknown }

/**
 * The request's `Cookie` header. Under @hono/node-server it is read from Node's own request (`c.env.incoming`): the
 * `Headers` of `c.req.raw` are built from the raw headers on first use, a cost every request would pay for a session
 * it may never touch. Elsewhere (workers, Deno, Bun) it is the `Request`'s header.
 */
function cookieHeader(c: Context): string | null {
  const incoming = (c.env as { incoming?: Partial<NodeIncoming> } | undefined)?.incoming
  if (incoming !== undefined && typeof incoming.headers === 'object' && incoming.headers !== null && Array.isArray(incoming.rawHeaders)) {
    const value = incoming.headers.cookie
    return typeof value === 'string' ? value : null
  }
  return c.req.raw.headers.get('cookie')
}

/** Appends the session's `Set-Cookie` values after the app's own (marking the response `Cache-Control: private`) and merges `Cookie` into `Vary`. */
function writeHeaders(c: Context, headers: SessionHeaders): void {
  try {
    appendSessionHeaders(c.res.headers, headers)
  } catch {
    // An immutable response (e.g. `Response.redirect()` or a proxied `fetch()`): copy it, then add.
    c.res = new Response(c.res.body, c.res)
    appendSessionHeaders(c.res.headers, headers)
  }
}

/** Headers that belong to the handler's response and go with it when a save fails (as in `@sess/express`). */
const DISCARDED = new Set(HANDLER_RESPONSE_HEADERS)

/**
 * Drops the response the handler built — its body headers, cookies and redirect — so that the error response
 * `onError` makes does not inherit them. Headers meant for every response (security headers, CORS set by
 * earlier middleware) stay for the error response.
 */
function discardResponse(c: Context): void {
  const old = c.res.headers
  const names = new Set(old.keys())
  const kept: Array<[string, string]> = []
  for (const [name, value] of old) if (!DISCARDED.has(name)) kept.push([name, value])
  c.res = undefined
  // What onError builds starts from the headers set with `c.header()` (kept apart from the response):
  // leave exactly the kept ones there.
  c.finalized = false
  try {
    for (const name of names) c.header(name, undefined)
    for (const [name, value] of kept) c.header(name, value, { append: true })
  } finally {
    c.finalized = true
  }
}

/**
 * Lets Hono's default error handler answer a 4xx session error (`NOT_FOUND`: 400) with its status, the
 * way it answers an `HTTPException`, instead of a logged 500. A 5xx error stays as it is (Hono logs it).
 * `app.onError` still receives the `SessionError` itself.
 */
function toHonoError(error: unknown): unknown {
  if (!(error instanceof Error)) return error
  const status = (error as { status?: unknown }).status
  if (typeof status !== 'number' || status >= 500 || 'getResponse' in error) return error
  const message = error.message
  Object.defineProperty(error, 'getResponse', {
    value: () => new Response(message, { status, headers: { 'content-type': 'text/plain; charset=UTF-8' } }),
    configurable: true,
    writable: true,
  })
  return error
}
