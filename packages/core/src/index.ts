/**
 * @module @sess/core
 * Server-side sessions with the semantics of Django's `django.contrib.sessions`.
 */
export { createSessions, type Sessions, type SessionsOptions } from './sessions.js'
export { Session, type SessionData } from './session.js'
export type { SessionHeaders, CommitOptions } from './commit.js'
export { HANDLER_RESPONSE_HEADERS, isPromise } from './binding.js'
export type { SessionEngine, SessionRecord, SessionStore, LoadedSession, EngineCapabilities, EngineFactory } from './engine.js'
export { engineStore, isSessionStore } from './engine-store.js'
export { SessionError, isSessionError, engineError, type SessionErrorCode } from './errors.js'
export type { SessionEvent, SessionEventListener } from './events.js'
export { generateSessionKey, isSessionKey } from './keys.js'
export { jsonSerializer, type SessionSerializer } from './serializer.js'
export {
  readCookie,
  readSessionCookie,
  resolveCookie,
  serializeCookie,
  expireCookie,
  MAX_COOKIE_BYTES,
  MAX_COOKIE_AGE_SECONDS,
  MAX_CHUNKS,
  type CookieOptions,
  type ResolvedCookie,
  type IncomingCookie,
} from './cookie.js'
export type { ExpiryInput, StoredExpiry } from './expiry.js'
