/**
 * @module @sess/core
 * Server-side sessions with the semantics of Django's `django.contrib.sessions`: what an app uses.
 * Engine authors import `@sess/core/engine`; binding authors `@sess/core/binding`.
 */
export { createSessions, type Sessions, type SessionsOptions, type SchemaData } from './sessions.js'
export type { OnInvalid } from './schema.js'
export type {
  StandardSchemaV1,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaSuccess,
  StandardSchemaFailure,
  StandardSchemaIssue,
  StandardSchemaPathSegment,
  StandardSchemaTypes,
  InferSchemaInput,
  InferSchemaOutput,
} from './standard-schema.js'
export { Session, type SessionData } from './session.js'
export type { SessionHeaders, CommitOptions } from './commit.js'
export type { SessionEngine, SessionStore } from './engine.js'
export { SessionError, isSessionError, type SessionErrorCode } from './errors.js'
export type { SessionEvent, SessionEventListener } from './events.js'
export { jsonSerializer, type SessionSerializer } from './serializer.js'
export { MAX_COOKIE_AGE_SECONDS, type CookieOptions, type ResolvedCookie } from './cookie.js'
export type { ExpiryInput, StoredExpiry } from './expiry.js'
