/**
 * @module @sess/postgres
 * A PostgreSQL session engine for @sess/core on `pg`.
 */
export { postgresEngine, type PostgresEngineOptions, type PgPoolLike } from './postgres-engine.js'
export { schemaSql, tableName, DEFAULT_TABLE, type TableName } from './schema.js'
