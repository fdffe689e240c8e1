import { SessionError } from '@sess/core/engine'

/** The default table name. */
export const DEFAULT_TABLE = 'sess_sessions'

const PART = /^[a-z_][a-z0-9_]{0,47}$/

/** A validated table name: how SQL names it, and the names of its indexes. */
export interface TableName {
  /** `"schema"."table"` or `"table"`, quoted. */
  readonly sql: string
  /** `"<table>_expires_at_idx"`, quoted (an index lives in its table's schema). */
  readonly index: string
  /** `"<table>_user_id_idx"`, quoted: the partial index of signed-in rows. */
  readonly userIndex: string
  /** The user index as `to_regclass` finds it: `"schema"."<table>_user_id_idx"` or `"<table>_user_id_idx"`. */
  readonly userIndexSql: string
  /** The name as given. */
  readonly text: string
}

/**
 * Validates `name`: `table` or `schema.table`, each part lower-case letters, digits and `_`, not starting with a
 * digit, at most 48 characters (so the index names fit PostgreSQL's 63). Anything else → `SessionError('CONFIG')`.
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
  const userIndex = `"${table}_user_id_idx"`
  return {
    sql: parts.map((p) => `"${p}"`).join('.'),
    index: `"${table}_expires_at_idx"`,
    userIndex,
    userIndexSql: parts.length === 2 ? `"${parts[0]}".${userIndex}` : userIndex,
    text: name as string,
  }
}

/**
 * The DDL of the session table, idempotent. `schema.sql` in the package is this text for the default table.
 * - `key_hash`: the SHA-256 (hex) of the session key; a dump of the table yields no usable cookie.
 * - `payload`: the opaque text made by @sess/core.
 * - `version`: the compare-and-set token of versioned updates.
 * - `expires_at`: when the session stops existing; indexed for `purgeExpired`.
 * - `user_id`, `handle`: the signed-in user and the session's non-secret handle, `NULL` for an anonymous session;
 *   a partial index on `user_id` (signed-in rows only) serves `listUser` and `destroyUser`.
 *
 * A table made by an earlier version gains the two columns (`ADD COLUMN IF NOT EXISTS`: nullable, no default, so
 * PostgreSQL rewrites nothing) and the index.
 */
export function schemaSql(table: TableName): string {
  return `-- @sess/postgres: the session table. The engine runs this same DDL on demand (unless createTable: false).\n${schemaStatements(table).join('\n')}\n`
}

/**
 * {@link schemaSql} as separate statements, in order. The engine runs them one by one, each its own transaction, so
 * the short exclusive lock of `ALTER TABLE` is not held while `CREATE INDEX` scans an old table.
 */
export function schemaStatements(table: TableName): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${table.sql} (
  key_hash   text        PRIMARY KEY, -- SHA-256 (hex) of the session key
  payload    text        NOT NULL,    -- opaque text made by @sess/core
  version    integer     NOT NULL,    -- +1 on every update: the compare-and-set token
  expires_at timestamptz NOT NULL,    -- reads at or after this instant miss; purgeExpired deletes
  user_id    text,                    -- the signed-in user, NULL when anonymous (listUser, destroyUser)
  handle     text                     -- the session's non-secret handle, NULL when anonymous
);`,
    `-- A table made before the user index gains its columns (nullable, no default: nothing is rewritten).
ALTER TABLE ${table.sql} ADD COLUMN IF NOT EXISTS user_id text, ADD COLUMN IF NOT EXISTS handle text;`,
    `CREATE INDEX IF NOT EXISTS ${table.index} ON ${table.sql} (expires_at);`,
    `CREATE INDEX IF NOT EXISTS ${table.userIndex} ON ${table.sql} (user_id, expires_at) WHERE user_id IS NOT NULL;`,
  ]
}

/**
 * One query telling whether the table already has the current shape (both user columns and the user index), so
 * the engine runs {@link schemaSql} only when something is missing: `ALTER TABLE` takes an exclusive lock even when
 * it has nothing to add. Parameters: `$1` the table, `$2` the user index (both as `to_regclass` reads them).
 */
export const SCHEMA_CURRENT_SQL = `SELECT
  (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname IN ('user_id', 'handle') AND NOT attisdropped) = 2
  AND to_regclass($2) IS NOT NULL AS current`
