import { SessionError } from '@sess/core/engine'

/** The default table name. */
export const DEFAULT_TABLE = 'sess_sessions'

const PART = /^[a-z_][a-z0-9_]{0,47}$/

/** A validated table name: how SQL names it, and the name of its expiry index. */
export interface TableName {
  /** `"schema"."table"` or `"table"`, quoted. */
  readonly sql: string
  /** `"<table>_expires_at_idx"`, quoted (an index lives in its table's schema). */
  readonly index: string
  /** The name as given. */
  readonly text: string
}

/**
 * Validates `name`: `table` or `schema.table`, each part lower-case letters, digits and `_`, not starting with a
 * digit, at most 48 characters (so the index name fits PostgreSQL's 63). Anything else → `SessionError('CONFIG')`.
 */
export function tableName(name: unknown): TableName {
  const parts = typeof name === 'string' ? name.split('.') : []
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => PART.test(p))) {
    throw new SessionError(
      'CONFIG',
      'postgres',
      `table must be "table" or "schema.table" in lower-case letters, digits and _ (at most 48 characters each), got ${JSON.stringify(name)}`,
    )
  }
  const table = parts[parts.length - 1]!
  return { sql: parts.map((p) => `"${p}"`).join('.'), index: `"${table}_expires_at_idx"`, text: name as string }
}

/**
 * The DDL of the session table, idempotent. `schema.sql` in the package is this text for the default table.
 * - `key_hash`: the SHA-256 (hex) of the session key; a dump of the table yields no usable cookie.
 * - `payload`: the opaque text made by @sess/core.
 * - `version`: the compare-and-set token of versioned updates.
 * - `expires_at`: when the session stops existing; indexed for `purgeExpired`.
 */
export function schemaSql(table: TableName): string {
  return `-- @sess/postgres: the session table. The engine runs this same DDL on demand (unless createTable: false).
CREATE TABLE IF NOT EXISTS ${table.sql} (
  key_hash   text        PRIMARY KEY, -- SHA-256 (hex) of the session key
  payload    text        NOT NULL,    -- opaque text made by @sess/core
  version    integer     NOT NULL,    -- +1 on every update: the compare-and-set token
  expires_at timestamptz NOT NULL     -- reads at or after this instant miss; purgeExpired deletes
);
CREATE INDEX IF NOT EXISTS ${table.index} ON ${table.sql} (expires_at);
`
}
