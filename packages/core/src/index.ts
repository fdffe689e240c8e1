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
export { MAX_USER_ID_LENGTH, MAX_METADATA_ENTRIES, MAX_METADATA_BYTES, type UserMetadata, type SessionUser } from './user.js'
export type { UserSession, ListForOptions, DestroyAllForOptions } from './user-index.js'
export type { SessionHeaders, CommitOptions } from './commit.js'
export type { SessionEngine, SessionStore, EngineStats } from './engine.js'
export { SessionError, isSessionError, type SessionErrorCode } from './errors.js'
export type { SessionEvent, SessionEventListener } from './events.js'
export { jsonSerializer, type SessionSerializer } from './serializer.js'
export { MAX_COOKIE_AGE_SECONDS, type CookieOptions, type ResolvedCookie } from './cookie.js'
export type { ExpiryInput, StoredExpiry } from './expiry.js'
