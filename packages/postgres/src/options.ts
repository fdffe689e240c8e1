import { SessionError, type SessionEventListener } from '@sess/core/engine'
import { DEFAULT_TABLE, tableName, type TableName } from './schema.js'

/** The part of a `pg` Pool the engine uses (a `pg.Pool`, or anything with the same `query`). */
export interface PgPoolLike {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>
}

/** Options of {@link postgresEngine}: `pool` or `connectionString`, not both. */
export interface PostgresEngineOptions {
  /** A `pg` Pool you own: the engine uses it and never ends it. */
  pool?: PgPoolLike
  /** A connection string: the engine makes its own Pool and ends it on `dispose`. */
  connectionString?: string
  /** The session table, `table` or `schema.table` (lower-case). Default `sess_sessions`. */
  table?: string
  /** Create the table and its index on first use (`CREATE … IF NOT EXISTS`, once). Default `true`. */
  createTable?: boolean
  /** How many expired rows one `purgeExpired` statement deletes (it repeats until none are left). Default 1000. */
  purgeBatchSize?: number
  /** Receives `store.degraded` when an idle connection of an owned pool fails (the pool replaces it). */
  onEvent?: SessionEventListener
}

/** Options after defaults and validation: exactly one of `pool` and `connectionString`. */
export interface ResolvedPostgresOptions {
  pool: PgPoolLike | undefined
  connectionString: string | undefined
  table: TableName
  createTable: boolean
  purgeBatchSize: number
  onEvent: SessionEventListener | undefined
}

/** The engine's name in errors and events. */
export const NAME = 'postgres'

/** Applies defaults and validates; bad options throw `SessionError('CONFIG')`. */
export function resolvePostgresOptions(options: PostgresEngineOptions): ResolvedPostgresOptions {
  const { pool, connectionString } = options ?? {}
  if ((pool === undefined) === (connectionString === undefined)) {
    throw new SessionError('CONFIG', NAME, 'pass exactly one of pool or connectionString')
  }
  if (pool !== undefined && typeof (pool as PgPoolLike | null)?.query !== 'function')
    throw new SessionError('CONFIG', NAME, 'pool must be a pg Pool')
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString === '')) {
    throw new SessionError('CONFIG', NAME, 'connectionString must be a non-empty string')
  }
  const table = tableName(options.table === undefined ? DEFAULT_TABLE : options.table)
  const purgeBatchSize = options.purgeBatchSize ?? 1000
  if (!Number.isSafeInteger(purgeBatchSize) || purgeBatchSize < 1)
    throw new SessionError('CONFIG', NAME, 'purgeBatchSize must be a positive integer')
  return { pool, connectionString, table, createTable: options.createTable !== false, purgeBatchSize, onEvent: options.onEvent }
}
