import type { Database, Statement } from 'better-sqlite3'

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
}

/**
 * Creates the table and its expiry index when missing, then prepares the statements. `table` must
 * already be validated as a plain identifier; it is quoted as well.
 */
export function prepareSchema(db: Database, table: string): Statements {
  const t = `"${table}"`
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);` +
      `CREATE INDEX IF NOT EXISTS "${table}_expires_at" ON ${t} (expires_at);`,
  )
  // The engine binds and reads plain numbers even if the app's database defaults to BigInt.
  const prepare = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).safeIntegers(false)
  return {
    read: prepare(`SELECT payload, expires_at, version FROM ${t} WHERE key = ? AND expires_at > ?`),
    exists: prepare<[string], 1>(`SELECT 1 FROM ${t} WHERE key = ?`).pluck(),
    insert: prepare(`INSERT INTO ${t} (key, payload, expires_at, version) VALUES (?, ?, ?, ?)`),
    update: prepare(`UPDATE ${t} SET payload = ?, expires_at = ?, version = ? WHERE key = ?`),
    updateIfVersion: prepare(`UPDATE ${t} SET payload = ?, expires_at = ?, version = ? WHERE key = ? AND version = ?`),
    destroy: prepare(`DELETE FROM ${t} WHERE key = ?`),
    touch: prepare(`UPDATE ${t} SET expires_at = ? WHERE key = ?`),
    purge: prepare(`DELETE FROM ${t} WHERE expires_at <= ?`),
  }
}
