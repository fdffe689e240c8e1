/**
 * What went wrong, as a stable code:
 * - `CONFIG`: bad options, thrown once at start-up, never per request.
 * - `KEY_CONFLICT`: `create` found the key taken (Django's `must_create`).
 * - `NOT_FOUND`: `update` found the session gone: it was logged out or expired meanwhile; never resurrected.
 * - `VERSION_CONFLICT`: `update` found a newer version than the one this request read.
 * - `ENGINE`: the storage failed; `cause` holds the driver's error.
 * - `COOKIE_TOO_LARGE`: a cookie would exceed the 4096 bytes browsers keep, or the session's whole cookie set would
 *   exceed `cookie.maxBytes` of the next request's `Cookie` header. Raised before any header is sent.
 * - `DATA`: a value cannot be stored (it would not come back the same).
 * - `COMMITTED`: a data write after the final commit (the response's headers were already on their way).
 */
export type SessionErrorCode =
  | 'CONFIG'
  | 'KEY_CONFLICT'
  | 'NOT_FOUND'
  | 'VERSION_CONFLICT'
  | 'ENGINE'
  | 'COOKIE_TOO_LARGE'
  | 'DATA'
  | 'COMMITTED'

/** The one error class of sess. Its message is prefixed with the package that raised it. */
export class SessionError extends Error {
  override readonly name = 'SessionError'
  /** The stable, machine-readable reason. */
  readonly code: SessionErrorCode
  /**
   * The HTTP status a binding answers with: 400 for `NOT_FOUND` (the session was ended by a parallel
   * request, like Django's `SessionInterrupted`), 500 otherwise. A plain writable property, because
   * frameworks' error handlers (Koa's) assign it.
   */
  status: number

  /**
   * @param code - the stable reason.
   * @param source - the package or engine name, e.g. `core` or `sqlite`; becomes the `[@sess/<source>]` prefix.
   * @param message - what happened, for humans.
   * @param options - `cause`: the underlying error.
   */
  constructor(code: SessionErrorCode, source: string, message: string, options?: { cause?: unknown }) {
    super(`[@sess/${source}] ${message}`, options)
    this.code = code
    this.status = code === 'NOT_FOUND' ? 400 : 500
  }
}

/** Whether `error` is a {@link SessionError}, optionally with the given code. Works across package copies. */
export function isSessionError(error: unknown, code?: SessionErrorCode): error is SessionError {
  return (
    error instanceof Error &&
    error.name === 'SessionError' &&
    typeof (error as SessionError).code === 'string' &&
    (code === undefined || (error as SessionError).code === code)
  )
}

/**
 * Wraps a driver failure as `SessionError('ENGINE')`, keeping `SessionError`s (conflicts, not-found) as they are.
 * @param source - the engine name for the message prefix.
 * @param action - what the engine was doing, e.g. `read`.
 */
export function engineError(source: string, action: string, cause: unknown): SessionError {
  if (isSessionError(cause)) return cause
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new SessionError('ENGINE', source, `${action} failed: ${reason}`, { cause })
}
