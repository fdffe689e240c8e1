/**
 * @module @sess/memory
 * A bounded, in-process session engine for `@sess/core`: an LRU by count and bytes, with a sweep of expired sessions.
 * Per process only: several app processes do not share it, and a restart loses every session.
 */
export { memoryEngine, recordSize, type MemoryEngine } from './memory-engine.js'
export { DEFAULT_MAX, DEFAULT_MAX_SIZE, DEFAULT_SWEEP_INTERVAL, type MemoryEngineOptions } from './options.js'
