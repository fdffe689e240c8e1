/**
 * @module @sess/cached-db
 * Any cache engine in front of any durable engine, write-through: Django's `cached_db` for @sess/core.
 */
export { cachedDbEngine } from './cached-db-engine.js'
export { MAX_SUSPECT_KEYS } from './cache-side.js'
export type { CachedDbEngineOptions } from './options.js'
