import type { Database } from 'better-sqlite3'
import { keyDigest } from './key-digest.js'

/** The columns of the table, in order. `user_id` and `handle` are `NULL` for an anonymous session. */
const SHAPE =
  'key_hash TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL, user_id TEXT, handle TEXT'
/** The columns every version of the `key_hash` shape has: a table with them is ours to upgrade. */
const BASE_COLUMNS = ['key_hash', 'payload', 'expires_at', 'version']
const USER_COLUMNS = ['user_id', 'handle']

/** The names of the engine's two indexes on `table`. */
export function indexNames(table: string): { expiry: string; user: string } {
  return { expiry: `${table}_expires_at`, user: `${table}_user_id` }
}

/**
 * Brings `table` to the current shape: creates it with its indexes when missing, migrates a table of an older shape
 * in place — raw keys (before 0.1, see {@link migrateRawKeys}) and a table without the user-index columns (`user_id`,
 * `handle` and the partial index on `user_id`, added by `ALTER TABLE … ADD COLUMN`: existing rows stay, anonymous).
 *
 * A table that is already current costs two reads of the schema and no write (a read-only database opens). Otherwise
 * every step runs in one `BEGIN IMMEDIATE` transaction that looks at the table again once it holds the write lock, so
 * two processes opening one old file at once migrate it exactly once: the second waits (busy timeout), then finds
 * nothing left to do. A table of any other shape is left alone: the transaction fails on the missing column and
 * rolls back, and the engine fails at start-up with `ENGINE`. `table` must already be validated as a plain identifier.
 */
export function ensureSchema(db: Database, table: string): void {
  const columns = columnsOf(db, table)
  const indexes = indexesOf(db, table)
  const { expiry, user } = indexNames(table)
  if ([...BASE_COLUMNS, ...USER_COLUMNS].every((c) => columns.includes(c)) && indexes.includes(expiry) && indexes.includes(user)) return
  const rawKeys = hasRawKeys(columns)
  // secure_delete overwrites the pages the raw keys leave behind; it cannot change inside the transaction.
  const secureDelete = rawKeys ? db.pragma('secure_delete', { simple: true }) : undefined
  if (rawKeys) db.pragma('secure_delete = ON')
  let migrated: boolean
  try {
    migrated = db.transaction(() => upgrade(db, table)).immediate()
  } finally {
    if (rawKeys) db.pragma(`secure_delete = ${Number(secureDelete)}`)
  }
  if (migrated && String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') db.pragma('wal_checkpoint(TRUNCATE)')
}

/** The steps of {@link ensureSchema}, inside its transaction. Returns whether raw keys were migrated. */
function upgrade(db: Database, table: string): boolean {
  const t = `"${table}"`
  const { expiry, user } = indexNames(table)
  const migrated = migrateRawKeys(db, table)
  db.exec(`CREATE TABLE IF NOT EXISTS ${t} (${SHAPE})`)
  const columns = columnsOf(db, table)
  if (BASE_COLUMNS.every((c) => columns.includes(c))) {
    for (const column of USER_COLUMNS) if (!columns.includes(column)) db.exec(`ALTER TABLE ${t} ADD COLUMN ${column} TEXT`)
  }
  db.exec(
    `CREATE INDEX IF NOT EXISTS "${expiry}" ON ${t} (expires_at);` +
      `CREATE INDEX IF NOT EXISTS "${user}" ON ${t} (user_id, expires_at) WHERE user_id IS NOT NULL;`,
  )
  return migrated
}

/**
 * Moves a table of the shape before 0.1 (`key TEXT PRIMARY KEY`, the raw session key) to the current shape: every
 * row is copied under the SHA-256 of its key, so logged-in visitors stay logged in, and the old table is dropped
 * (with `secure_delete` on, set by {@link ensureSchema}, so the raw keys do not linger in free pages). Runs inside
 * the caller's transaction. Returns whether it did anything.
 */
export function migrateRawKeys(db: Database, table: string): boolean {
  if (!hasRawKeys(columnsOf(db, table))) return false
  const t = `"${table}"`
  const staging = `"${table}__sess_migrating"`
  db.function('sess_key_digest', { deterministic: true }, (key: unknown) => keyDigest(String(key)))
  db.exec(
    `DROP TABLE IF EXISTS ${staging};` +
      `CREATE TABLE ${staging} (${SHAPE});` +
      `INSERT INTO ${staging} (key_hash, payload, expires_at, version) SELECT sess_key_digest(key), payload, expires_at, version FROM ${t};` +
      `DROP TABLE ${t};` +
      `ALTER TABLE ${staging} RENAME TO ${t};`,
  )
  return true
}

function hasRawKeys(columns: string[]): boolean {
  return columns.includes('key') && !columns.includes('key_hash')
}

function columnsOf(db: Database, table: string): string[] {
  return db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]
}

function indexesOf(db: Database, table: string): string[] {
  return db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?`).pluck().all(table) as string[]
}
