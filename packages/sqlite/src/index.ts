/**
 * @module @sess/sqlite
 * The embedded default session engine for `@sess/core`: one SQLite file through better-sqlite3,
 * WAL mode, prepared statements, an index on the expiry.
 */
export { sqliteEngine, type SqliteEngine } from './sqlite-engine.js'
export { DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_PATH, DEFAULT_TABLE, type SqliteEngineOptions } from './options.js'
