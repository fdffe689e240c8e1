/**
 * @module @sess/fastify
 * Fastify 5 binding for `@sess/core`: `app.register(session, { sessions })` gives every request `request.session`.
 */
import {
  assertSessions,
  HANDLER_RESPONSE_HEADERS,
  isPromise,
  privateCacheControl,
  varyWithCookie,
  type Session,
  type SessionData,
  type SessionHeaders,
  type Sessions,
} from '@sess/core/binding'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

/**
 * Declares the app's session data type for `request.session`, once, by module augmentation:
 *
 * @example
 * ```ts
 * declare module '@sess/fastify' {
 *   interface SessionDataRegistry {
 *     data: { user?: string; count?: number }
 *   }
 * }
 * ```
 * Without it, `request.session` is a `Session<Record<string, unknown>>`. `data` must be a type literal or a
 * type alias (an `interface` has no index signature and does not satisfy `SessionData`).
 */
// biome-ignore lint/suspicious/noEmptyInterface: apps augment this registry by declaration merging
export interface SessionDataRegistry {}

/** The session data type `request.session` has: the `data` of {@link SessionDataRegistry}, or any record. */
export type FastifySessionData = SessionDataRegistry extends { data: infer D extends SessionData } ? D : SessionData

declare module 'fastify' {
  interface FastifyRequest {
    /** This request's session (lazy: nothing is read until the data is). Set by `@sess/fastify`. */
    readonly session: Session<FastifySessionData>
  }
}

/** Options of the {@link session} plugin. */
export interface FastifySessOptions {
  /** The session layer, made once with `createSessions({ engine })`. */
  // biome-ignore lint/suspicious/noExplicitAny: the plugin serves every app's data type
  sessions: Sessions<any>
}

const SESSION = Symbol('@sess/fastify session')
const FAILED = Symbol('@sess/fastify failed')
type Req = FastifyRequest & { [SESSION]?: Session<FastifySessionData>; [FAILED]?: boolean }
type Done = (error?: unknown, payload?: unknown) => void

/**
 * The session plugin (wrapped in `fastify-plugin`, so it applies to the whole app). Register it before the
 * routes that use `request.session`.
 *
 * `request.session` is made on first use (`sessions.load(cookie)`, itself lazy). In `onSend`, before the
 * reply goes out (streams included), the session is committed with the reply's status: its `Set-Cookie`
 * values are appended after the app's own (`@fastify/cookie`'s included) and `Cookie` is merged into
 * `Vary` when the session was read; a reply that sets the cookie is made `Cache-Control: private`. A route that never touched the session costs no await and no engine call.
 *
 * A handler error (or any error Fastify's error handler answers) saves nothing. A failed save
 * (`SessionError` from the engine, or `NOT_FOUND` when a parallel request logged the session out) drops
 * the handler's body headers and cookies and becomes Fastify's error reply: 500, or 400 for `NOT_FOUND`.
 * `reply.hijack()` skips `onSend`: a hijacked route commits itself (see the README).
 *
 * @example
 * ```ts
 * const app = Fastify()
 * await app.register(session, { sessions: createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) }) })
 * app.get('/', async (request) => ({ count: await request.session.get('count', 0) }))
 * ```
 */
export const session: FastifyPluginAsync<FastifySessOptions> = fp(
  async (app: FastifyInstance, options: FastifySessOptions) => {
    const { sessions } = options ?? {}
    assertSessions(sessions, 'fastify', 'register(session, { sessions })')
    app.decorateRequest('session', {
      getter(this: Req) {
        return (this[SESSION] ??= sessions.load(this.headers.cookie))
      },
    })
    app.addHook('onError', (request: Req, _reply, _error, next) => {
      request[FAILED] = true
      next()
    })
    app.addHook('onSend', (request: Req, reply, _payload, next: Done) => {
      // An untouched request still goes through commit when it has a cookie: a dead one is removed (Django).
      const current = request[SESSION] ?? (request.headers.cookie === undefined ? undefined : request.session)
      if (current === undefined || request[FAILED]) return next()
      let headers: SessionHeaders | Promise<SessionHeaders>
      try {
        headers = sessions.commit(current, { status: reply.statusCode, final: true })
      } catch (error) {
        return fail(reply, error, next)
      }
      if (!isPromise(headers)) return write(reply, headers, next)
      headers.then(
        (h) => write(reply, h, next),
        (error: unknown) => fail(reply, error, next),
      )
    })
  },
  { fastify: '5.x', name: '@sess/fastify' },
)

/** Appends the session's `Set-Cookie` values after the app's own and merges `Cookie` into `Vary`. */
function write(reply: FastifyReply, headers: SessionHeaders, next: Done): void {
  if (headers.setCookie.length > 0) {
    reply.header('set-cookie', headers.setCookie)
    const cacheControl = privateCacheControl(reply.getHeader('cache-control'))
    if (cacheControl !== null) reply.header('cache-control', cacheControl)
  }
  if (headers.vary) {
    const vary = varyWithCookie(reply.getHeader('vary'))
    if (vary !== null) reply.header('vary', vary)
  }
  next()
}

/** Voids the handler's reply (body headers, cookies, redirect, status) and hands the error to Fastify's error path. */
function fail(reply: FastifyReply, error: unknown, next: Done): void {
  for (const name of HANDLER_RESPONSE_HEADERS) reply.removeHeader(name)
  const status = (error as { status?: unknown } | null)?.status
  reply.code(typeof status === 'number' && status >= 400 && status < 600 ? status : 500)
  next(error)
}
