/**
 * @module @sess/express
 * Express 4 and 5 binding for `@sess/core`: `app.use(session(sessions))` gives every request `req.session`.
 */
import { assertSessions, type Session, type SessionData, type Sessions } from '@sess/core/binding'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import type { CompatSession } from './compat-session.js'
import { commitBeforeSend, STATE } from './commit.js'
import { slotDeclarer } from './request-slots.js'

export { expressSessionCompat, getSession } from './compat.js'
export { CompatSession, type SessionCallback } from './compat-session.js'
export { CompatCookie } from './compat-cookie.js'

/**
 * Declares the app's session data type for `req.session`, once, by module augmentation:
 *
 * @example
 * ```ts
 * declare module '@sess/express' {
 *   interface SessionDataRegistry {
 *     data: { user?: string; count?: number }
 *   }
 * }
 * ```
 * Without it, `req.session` is a `Session<Record<string, unknown>>`. `data` must be a type literal or a
 * type alias (an `interface` has no index signature and does not satisfy `SessionData`).
 *
 * Apps on `expressSessionCompat()` add `compat: true`: `req.session` is then typed as express-session's
 * (a {@link CompatSession} whose data keys are optional properties).
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps augment this registry by declaration merging
export interface SessionDataRegistry {}

/** The session data type `req.session` has: the `data` of {@link SessionDataRegistry}, or any record. */
export type ExpressSessionData = SessionDataRegistry extends { data: infer D extends SessionData } ? D : SessionData

/** express-session's `req.session` over sess: {@link CompatSession} with the app's data keys as optional properties. */
export type CompatSessionOf<Data extends SessionData> = CompatSession & Partial<Data>

/** What `req.session` is: sess's `Session` under `session()`, express-session's shape when the registry says `compat: true`. */
export type RequestSession = SessionDataRegistry extends { compat: true }
  ? CompatSessionOf<ExpressSessionData>
  : Session<ExpressSessionData>

declare global {
  namespace Express {
    interface Request {
      /** This request's session (lazy under `session()`: nothing is read until the data is). Set by `@sess/express`. */
      session: RequestSession
      /** The session key under `expressSessionCompat()` (express-session's `req.sessionID`); `undefined` before the first save. */
      sessionID?: string | undefined
    }
  }
}

/**
 * The session middleware. Put it before the routes that use `req.session`.
 *
 * Per request it sets `req.session = sessions.load(req.headers.cookie)` (free until the data is used),
 * and commits the session when the handler ends the response, before anything is sent: the session's
 * `Set-Cookie` values are appended to the app's own, `Vary: Cookie` is merged into `Vary` when the
 * session was read. A request that never touched the session goes straight through.
 *
 * A failed save (`SessionError` from the engine, or `NOT_FOUND` when a parallel request logged the
 * session out) discards the handler's response and goes to Express's error handlers with `next(err)`;
 * `err.status` is 500, or 400 for `NOT_FOUND`. The client never gets a success whose save was lost.
 *
 * @param sessions - made once with `createSessions({ engine })`.
 * @example
 * ```ts
 * const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })
 * app.use(session(sessions))
 * app.get('/', async (req, res) => {
 *   res.json({ count: await req.session.get('count', 0) })
 * })
 * ```
 */
export function session<Data extends SessionData>(sessions: Sessions<Data>): RequestHandler {
  assertSessions(sessions, 'express', 'session()')
  // What it adds to every request and response, declared before Express changes their prototypes.
  const declare = slotDeclarer(['session'], [STATE])
  return function sessMiddleware(req: Request, res: Response, next: NextFunction): void {
    declare(req)
    const current = sessions.load(req.headers.cookie)
    req.session = current as unknown as RequestSession
    commitBeforeSend(res, sessions, current, next)
    next()
  }
}
