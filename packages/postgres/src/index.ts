/**
 * @module @sess/postgres
 * A PostgreSQL session engine for @sess/core on `pg`.
 */
export { postgresEngine } from './postgres-engine.js'
export type { PostgresEngineOptions, PgPoolLike } from './options.js'
export { schemaSql, tableName, DEFAULT_TABLE, type TableName } from './schema.js'
