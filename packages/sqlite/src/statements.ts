import type { Database, Statement } from 'better-sqlite3'
import { keyDigest } from './key-digest.js'

/** A row as read back. */
export interface Row {
  payload: string
  expires_at: number
  version: number
}

/** Every statement the engine runs, prepared once. */
export interface Statements {
  read: Statement<[key: string, now: number], Row>
  exists: Statement<[key: string], 1>
  insert: Statement<[key: string, payload: string, expiresAt: number, version: number]>
  update: Statement<[payload: string, expiresAt: number, version: number, key: string]>
  updateIfVersion: Statement<[payload: string, expiresAt: number, version: number, key: string, ifVersion: number]>
  destroy: Statement<[key: string]>
  touch: Statement<[expiresAt: number, key: string]>
  purge: Statement<[now: number]>
  /** Removes rows whose expiry no clock reaches (text, a blob, beyond the last valid Date): they would never expire. */
  purgeCorrupt: Statement<[]>
}

/** The largest time a JavaScript Date holds, in ms. */
const MAX_DATE_MS = 8.64e15

/**
 * Creates the table and its expiry index when missing (migrating a table of the old shape first, see
 * {@link migrateRawKeys}), then prepares the statements. `table` must already be validated as a plain
 * identifier; it is quoted as well. Rows are keyed by the SHA-256 of the session key (`key_hash`), never the key.
 */
export function prepareSchema(db: Database, table: string): Statements {
  const t = `"${table}"`
  migrateRawKeys(db, table)
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${t} (key_hash TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);` +
      `CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON ${t} (expires_at);`,
  )
  // The engine binds and reads plain numbers even if the app's database defaults to BigInt.
  const prepare = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).safeIntegers(false)
  return {
    read: prepare(`SELECT payload, expires_at, version FROM ${t} WHERE key_hash = ? AND expires_at > ?`),
    exists: prepare<[string], 1>(`SELECT 1 FROM ${t} WHERE key_hash = ?`).pluck(),
    insert: prepare(`INSERT INTO ${t} (key_hash, payload, expires_at, version) VALUES (?, ?, ?, ?)`),
    update: prepare(`UPDATE ${t} SET payload = ?, expires_at = ?, version = ? WHERE key_hash = ?`),
    updateIfVersion: prepare(`UPDATE ${t} SET payload = ?, expires_at = ?, version = ? WHERE key_hash = ? AND version = ?`),
    destroy: prepare(`DELETE FROM ${t} WHERE key_hash = ?`),
    touch: prepare(`UPDATE ${t} SET expires_at = ? WHERE key_hash = ?`),
    purge: prepare(`DELETE FROM ${t} WHERE expires_at <= ?`),
    // In SQLite's order every text and blob sorts after every number: two range scans of the expiry index.
    purgeCorrupt: prepare(`DELETE FROM ${t} WHERE expires_at >= '' OR expires_at > ${MAX_DATE_MS}`),
  }
}

/**
 * Moves a table of the shape before 0.1 (`key TEXT PRIMARY KEY`, the raw session key) to the `key_hash` shape, in
 * one transaction: every row is copied under the SHA-256 of its key, so logged-in visitors stay logged in, and
 * the old table is dropped with `secure_delete` on so the raw keys do not linger in free pages (the WAL is
 * checkpointed and truncated afterwards). A table of any other shape is left alone (the engine then fails at
 * start-up with `ENGINE`, naming the missing column).
 */
export function migrateRawKeys(db: Database, table: string): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]
  if (!columns.includes('key') || columns.includes('key_hash')) return
  const t = `"${table}"`
  const staging = `"${table}__sess_migrating"`
  db.function('sess_key_digest', { deterministic: true }, (key: unknown) => keyDigest(String(key)))
  const secureDelete = db.pragma('secure_delete', { simple: true })
  db.pragma('secure_delete = ON')
  try {
    db.transaction(() => {
      db.exec(
        `DROP TABLE IF EXISTS ${staging};` +
          `CREATE TABLE ${staging} (key_hash TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);` +
          `INSERT INTO ${staging} (key_hash, payload, expires_at, version) SELECT sess_key_digest(key), payload, expires_at, version FROM ${t};` +
          `DROP TABLE ${t};` +
          `ALTER TABLE ${staging} RENAME TO ${t};`,
      )
    })()
  } finally {
    db.pragma(`secure_delete = ${Number(secureDelete)}`)
  }
  if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() === 'wal') db.pragma('wal_checkpoint(TRUNCATE)')
}
