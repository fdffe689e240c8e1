/**
 * @module @sess/h3
 * h3 2 binding for `@sess/core` (Nuxt, Nitro): `app.use(session(sessions))`, then `useSession(event)` in handlers.
 * Web-standard only (no `node:` imports).
 */
import {
  appendSessionHeaders,
  assertSessions,
  isPromise,
  SessionError,
  type Session,
  type SessionData,
  type SessionHeaders,
  type Sessions,
} from '@sess/core/binding'
import { HTTPError, toResponse, type H3Event, type Middleware } from 'h3'

/**
 * Declares the app's session data type for `useSession(event)`, once, by module augmentation:
 *
 * @example
 * ```ts
 * declare module '@sess/h3' {
 *   interface SessionDataRegistry {
 *     data: { user?: string; count?: number }
 *   }
 * }
 * ```
 * Without it, the session is a `Session<Record<string, unknown>>`. `data` must be a type literal or a type alias.
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps augment this registry by declaration merging
export interface SessionDataRegistry {}

/** The session data type `useSession(event)` has: the `data` of {@link SessionDataRegistry}, or any record. */
export type H3SessionData = SessionDataRegistry extends { data: infer D extends SessionData } ? D : SessionData

declare module 'h3' {
  interface H3EventContext {
    /** This request's sess session (lazy: nothing is read until the data is). Set by `@sess/h3`'s `session()`. */
    sess?: Session<H3SessionData>
  }
}

/**
 * The session middleware: `app.use(session(sessions))`, before the routes that call {@link useSession}.
 *
 * Per request it puts `sessions.load(cookie)` (free until the data is used) on `event.context.sess`, awaits the
 * handler, turns its result into the `Response` (as h3's `onResponse` does), then commits the session with that
 * status before the response leaves: the session's `Set-Cookie` values are appended to the app's own and
 * `Cookie` is merged into `Vary` when the session was read. A route that never touched the session costs nothing.
 *
 * A handler that throws (an `HTTPError` included) saves nothing. A failed save drops the handler's response and
 * becomes h3's error response: the `SessionError` itself for an engine failure (500, logged, message hidden),
 * an `HTTPError` 400 for `NOT_FOUND` (the session was ended by a parallel request, e.g. a logout).
 *
 * @param sessions - made once with `createSessions({ engine })`.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app's Sessions, whatever its data type
export function session(sessions: Sessions<any>): Middleware {
  assertSessions(sessions, 'h3', 'session()')
  return async function sessMiddleware(event, next) {
    const current = sessions.load(event.req.headers.get('cookie'))
    event.context.sess = current as Session<H3SessionData>
    const body = await next()
    if (body instanceof Error) return body // an error returned as a value: answered as one, nothing saved
    const response = await toResponse(body, event)
    let headers: SessionHeaders | Promise<SessionHeaders>
    try {
      headers = sessions.commit(current, { status: response.status, final: true })
      if (isPromise(headers)) headers = await headers
    } catch (error) {
      await response.body?.cancel()
      const status = (error as { status?: unknown }).status
      throw typeof status === 'number' && status < 500 ? new HTTPError({ status, message: (error as Error).message, cause: error }) : error
    }
    return headers.setCookie.length > 0 || headers.vary ? withHeaders(response, headers) : response
  }
}

/**
 * This request's session (`event.context.sess`, set by {@link session}). Throws `SessionError('CONFIG')` when the
 * middleware is missing.
 *
 * @example
 * ```ts
 * app.get('/', async (event) => ({ count: await useSession(event).get('count', 0) }))
 * ```
 */
export function useSession<Data extends SessionData = H3SessionData>(event: H3Event): Session<Data> {
  const current = event.context.sess
  if (current === undefined) throw new SessionError('CONFIG', 'h3', 'useSession(event) needs app.use(session(sessions)) before the route')
  return current as unknown as Session<Data>
}

/** Appends the session's headers; an immutable response (e.g. a proxied `fetch()`) is copied first. */
function withHeaders(response: Response, headers: SessionHeaders): Response {
  try {
    appendSessionHeaders(response.headers, headers)
    return response
  } catch {
    const copy = new Response(response.body, response)
    appendSessionHeaders(copy.headers, headers)
    return copy
  }
}
