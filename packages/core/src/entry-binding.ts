/**
 * @module @sess/core/binding
 * What a framework binding needs beyond the app API: the session types it hands to handlers, the commit
 * result, and the helpers every binding shares (the start-up guard, the `Vary` merge, `Cache-Control: private` for responses that carry the session cookie, the headers a failed
 * save drops). Apps import `@sess/core`; engine authors `@sess/core/engine`.
 */
export type { Sessions } from './sessions.js'
export type { Session, SessionData } from './session.js'
export type { SessionHeaders, CommitOptions } from './commit.js'
export { SessionError, isSessionError, type SessionErrorCode } from './errors.js'
export {
  HANDLER_RESPONSE_HEADERS,
  isPromise,
  assertSessions,
  varyWithCookie,
  appendSessionHeaders,
  setNodeSessionHeaders,
  type NodeResponseHeaders,
  privateCacheControl,
} from './binding.js'
