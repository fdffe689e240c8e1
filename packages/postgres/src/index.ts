/**
 * @module @sess/postgres
 * A PostgreSQL session engine for @sess/core on `pg`.
 */
export { postgresEngine, type PostgresEngine } from './postgres-engine.js'
export type { PostgresEngineOptions, PgPoolLike } from './options.js'
export { schemaSql, schemaStatements, tableName, DEFAULT_TABLE, type TableName } from './schema.js'
