/**
 * @module @sess/core/engine
 * What an engine or store author needs: the contract's types, the adapter from an engine to the store level,
 * errors with driver causes, and the session-key grammar. Apps import `@sess/core`; binding authors
 * `@sess/core/binding`.
 */
export type {
  SessionEngine,
  SessionRecord,
  SessionStore,
  LoadedSession,
  EngineCapabilities,
  EngineFactory,
  DestroyUserOptions,
  EngineStats,
} from './engine.js'
export { engineStore, isSessionStore, type EngineStoreOptions } from './engine-store.js'
export { SessionError, isSessionError, engineError, type SessionErrorCode } from './errors.js'
export type { SessionEvent, SessionEventListener } from './events.js'
export { generateSessionKey, isSessionKey } from './keys.js'
export { sessionHandle, isSessionHandle } from './handle.js'
export { peekPayload, type PayloadSummary } from './payload-peek.js'
