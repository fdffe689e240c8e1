/**
 * @module @sess/file
 * One file per session, crash-safe atomic writes: Django's `file` session engine for @sess/core.
 */
export { fileEngine } from './file-engine.js'
export type { FileEngineOptions } from './options.js'
