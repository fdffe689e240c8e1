import type { Database, Statement } from 'better-sqlite3'

/** A row as read back. `user_id` and `handle` are `null` for an anonymous session. */
export interface Row {
  payload: string
  expires_at: number
  version: number
  user_id: string | null
  handle: string | null
}

/** The named parameters of {@link Statements.destroyUser}; `null` means "no such condition". */
export interface DestroyUserParams {
  userId: string
  handle: string | null
  exceptHandle: string | null
}

/** What {@link Statements.stats} returns (`earliest`/`latest` are `null` without live rows). */
export interface StatsRow {
  sessions: number
  earliest: number | null
  latest: number | null
  signed_in: number
}

/** Every statement the engine runs, prepared once. */
export interface Statements {
  read: Statement<[key: string, now: number], Row>
  exists: Statement<[key: string], 1>
  insert: Statement<[key: string, payload: string, expiresAt: number, version: number, userId: string | null, handle: string | null]>
  update: Statement<[payload: string, expiresAt: number, version: number, userId: string | null, handle: string | null, key: string]>
  updateIfVersion: Statement<
    [payload: string, expiresAt: number, version: number, userId: string | null, handle: string | null, key: string, ifVersion: number]
  >
  destroy: Statement<[key: string]>
  touch: Statement<[expiresAt: number, key: string]>
  purge: Statement<[now: number]>
  /** Removes rows whose expiry no clock reaches (text, a blob, beyond the last valid Date): they would never expire. */
  purgeCorrupt: Statement<[]>
  /** The user's live rows, through the partial index on `user_id`. */
  listUser: Statement<[userId: string, now: number], Row>
  /** Removes the user's rows — all, one handle, or all but one — in one statement. */
  destroyUser: Statement<[DestroyUserParams]>
  /** Counts of the live rows with a valid expiry. */
  stats: Statement<[now: number], StatsRow>
  /** Bytes of the table and its indexes (the pages `dbstat` counts); absent when SQLite was built without `dbstat`. */
  bytes: Statement<[], number | null> | undefined
}

/** The largest time a JavaScript Date holds, in ms. */
const MAX_DATE_MS = 8.64e15

/**
 * Prepares the statements on `table` (already brought to the current shape by `ensureSchema`). `table` must already
 * be validated as a plain identifier; it is quoted as well. Rows are keyed by the SHA-256 of the session key
 * (`key_hash`), never the key.
 */
export function prepareStatements(db: Database, table: string): Statements {
  const t = `"${table}"`
  // The engine binds and reads plain numbers even if the app's database defaults to BigInt.
  const prepare = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql).safeIntegers(false)
  const columns = 'payload, expires_at, version, user_id, handle'
  return {
    read: prepare(`SELECT ${columns} FROM ${t} WHERE key_hash = ? AND expires_at > ?`),
    exists: prepare<[string], 1>(`SELECT 1 FROM ${t} WHERE key_hash = ?`).pluck(),
    insert: prepare(`INSERT INTO ${t} (key_hash, payload, expires_at, version, user_id, handle) VALUES (?, ?, ?, ?, ?, ?)`),
    update: prepare(`UPDATE ${t} SET payload = ?, expires_at = ?, version = ?, user_id = ?, handle = ? WHERE key_hash = ?`),
    updateIfVersion: prepare(
      `UPDATE ${t} SET payload = ?, expires_at = ?, version = ?, user_id = ?, handle = ? WHERE key_hash = ? AND version = ?`,
    ),
    destroy: prepare(`DELETE FROM ${t} WHERE key_hash = ?`),
    touch: prepare(`UPDATE ${t} SET expires_at = ? WHERE key_hash = ?`),
    purge: prepare(`DELETE FROM ${t} WHERE expires_at <= ?`),
    // In SQLite's order every text and blob sorts after every number: two range scans of the expiry index.
    purgeCorrupt: prepare(`DELETE FROM ${t} WHERE expires_at >= '' OR expires_at > ${MAX_DATE_MS}`),
    listUser: prepare(`SELECT ${columns} FROM ${t} WHERE user_id = ? AND expires_at > ?`),
    destroyUser: prepare(
      `DELETE FROM ${t} WHERE user_id = @userId AND (@handle IS NULL OR handle = @handle) AND (@exceptHandle IS NULL OR handle IS NOT @exceptHandle)`,
    ),
    // `<= MAX_DATE_MS` also leaves out text and blob expiries (they sort after every number): corrupt rows, not sessions.
    stats: prepare(
      `SELECT count(*) AS sessions, min(expires_at) AS earliest, max(expires_at) AS latest, count(user_id) AS signed_in FROM ${t} WHERE expires_at > ? AND expires_at <= ${MAX_DATE_MS}`,
    ),
    bytes: prepareBytes(db, table),
  }
}

/**
 * `dbstat` (compiled into better-sqlite3's SQLite): the pages of the table and of every index on it, the primary
 * key's included — expired rows not purged yet take room too. `undefined` for a SQLite built without it.
 */
function prepareBytes(db: Database, table: string): Statement<[], number | null> | undefined {
  try {
    return db
      .prepare<[], number | null>(
        `SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = '${table}')`,
      )
      .pluck()
      .safeIntegers(false)
  } catch {
    return undefined
  }
}
