/**
 * @module @sess/koa
 * Koa 2 and 3 binding for `@sess/core`: `app.use(session(sessions))` gives every request `ctx.session`.
 */
import {
  assertSessions,
  HANDLER_RESPONSE_HEADERS,
  isPromise,
  type Session,
  type SessionData,
  type SessionHeaders,
  type Sessions,
  setNodeSessionHeaders,
} from '@sess/core/binding'
import type { Middleware, ParameterizedContext } from 'koa'

/**
 * Declares the app's session data type for `ctx.session`, once, by module augmentation:
 *
 * @example
 * ```ts
 * declare module '@sess/koa' {
 *   interface SessionDataRegistry {
 *     data: { user?: string; count?: number }
 *   }
 * }
 * ```
 * Without it, `ctx.session` is a `Session<Record<string, unknown>>`. `data` must be a type literal or a
 * type alias (an `interface` has no index signature and does not satisfy `SessionData`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps augment this registry by declaration merging
export interface SessionDataRegistry {}

/** The session data type `ctx.session` has: the `data` of {@link SessionDataRegistry}, or any record. */
export type KoaSessionData = SessionDataRegistry extends { data: infer D extends SessionData } ? D : SessionData

declare module 'koa' {
  interface DefaultContext {
    /** This request's session (lazy: nothing is read until the data is). Set by `@sess/koa`. */
    session: Session<KoaSessionData>
  }
  interface BaseContext {
    /** This request's session (lazy: nothing is read until the data is). Set by `@sess/koa`. */
    session: Session<KoaSessionData>
  }
}

// biome-ignore lint/suspicious/noExplicitAny: the binding works with any app's state and context
type Ctx = ParameterizedContext<any, any, any>

/**
 * The session middleware. Put it before the middleware and routes that use `ctx.session`.
 *
 * Per request it sets `ctx.session = sessions.load(cookie)` (free until the data is used), awaits the
 * rest of the chain, then commits the session with the response status, before Koa sends the body:
 * the session's `Set-Cookie` values are appended to the app's own, and `Vary: Cookie` is added when the
 * session was read. A request that never touched the session commits synchronously, with no extra await.
 *
 * When the downstream chain throws (`ctx.throw(401)` included), nothing is saved and the error goes on
 * to Koa. A failed save (`SessionError` from the engine, or `NOT_FOUND` when a parallel request logged
 * the session out) is thrown into Koa's error path: `err.status` is 500, or 400 for `NOT_FOUND`
 * (with `err.expose`, like any 4xx `http-errors` error). The client never gets a success whose save was lost.
 *
 * @param sessions - made once with `createSessions({ engine })`.
 * @example
 * ```ts
 * const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })
 * app.use(session(sessions))
 * app.use(async (ctx) => {
 *   ctx.body = { count: await ctx.session.get('count', 0) }
 * })
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the middleware fits any app's state and context
export function session<Data extends SessionData>(sessions: Sessions<Data>): Middleware<any, any, any> {
  assertSessions(sessions, 'koa', 'session()')
  return async function sessMiddleware(ctx: Ctx, next: () => Promise<unknown>): Promise<void> {
    // Node's own request and response, not Koa's delegating getters (`ctx.request.headers`, `ctx.status`): the same values.
    const current = sessions.load(ctx.req.headers.cookie)
    ctx.session = current as unknown as Session<KoaSessionData>
    await next()
    let headers: SessionHeaders | Promise<SessionHeaders>
    try {
      headers = sessions.commit(current, { status: ctx.res.statusCode, final: true })
      if (isPromise(headers)) headers = await headers
    } catch (error) {
      throw toKoaError(error, discardResponse(ctx))
    }
    if (headers.setCookie.length > 0 || headers.vary) writeHeaders(ctx, headers)
  }
}

/**
 * Appends the session's `Set-Cookie` values after the app's own (marking the response `Cache-Control: private`) and
 * merges `Cookie` into `Vary`, on Node's response itself: Koa's `ctx.set`/`ctx.append` write there too, so this is the
 * same, without their delegation and copying.
 */
function writeHeaders(ctx: Ctx, headers: SessionHeaders): void {
  if (ctx.res.headersSent) return // The app wrote the response itself: the save happened, the headers cannot follow.
  setNodeSessionHeaders(ctx.res, headers)
}

/** Headers that belong to the handler's response and go with it when a save fails (as in `@sess/express`). */

/**
 * Drops the headers of the handler's response (body headers, cookies, redirect) and returns the others —
 * headers for every response, such as CORS or security headers set by earlier middleware — so that
 * Koa's `ctx.onerror`, which clears all headers, can set them again from `err.headers`.
 */
function discardResponse(ctx: Ctx): Record<string, string | string[]> | undefined {
  if (ctx.headerSent) return undefined
  const res = ctx.res
  for (const name of HANDLER_RESPONSE_HEADERS) res.removeHeader(name)
  const kept: Record<string, string | string[]> = {}
  for (const name of res.getHeaderNames()) {
    const value = res.getHeader(name)
    if (value !== undefined) kept[name] = Array.isArray(value) ? value : String(value)
  }
  return kept
}

/**
 * Fits a session error to Koa's error path (`SessionError` already carries `status`). `expose` follows `http-errors`: a 4xx
 * message may reach the client (and is not logged), a 5xx one is not (and is logged). `headers` are the
 * ones Koa sets again on the error response.
 */
function toKoaError(error: unknown, kept: Record<string, string | string[]> | undefined): unknown {
  if (!(error instanceof Error)) return error
  if (kept !== undefined && !('headers' in error))
    Object.defineProperty(error, 'headers', { value: kept, configurable: true, writable: true })
  const status = (error as { status?: unknown }).status
  if (typeof status !== 'number') return error
  if (!('expose' in error)) Object.defineProperty(error, 'expose', { value: status < 500, configurable: true, writable: true })
  return error
}
