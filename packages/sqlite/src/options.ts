import { resolve } from 'node:path'
import { SessionError } from '@sess/core/engine'
import type { Database } from 'better-sqlite3'

/** Options of {@link sqliteEngine}. */
export interface SqliteEngineOptions {
  /**
   * The database file, created when missing (its directory must exist). Relative paths are resolved
   * against the working directory once, at start-up. Default: `sessions.sqlite3` in the working directory.
   * Not together with `database`.
   */
  path?: string
  /**
   * An open better-sqlite3 `Database` that the app owns. The engine creates its table in it and
   * prepares its statements, but leaves its pragmas alone and never closes it (`dispose` is a no-op for it).
   * Not together with `path`, `busyTimeoutMs` or `synchronous`.
   */
  database?: Database
  /** The table name (default `sess_sessions`): letters, digits and `_`, not starting with a digit, ≤ 63 chars. */
  table?: string
  /** How long a write waits for another connection's lock before failing, in ms (default 5000). */
  busyTimeoutMs?: number
  /**
   * `'normal'` (default): with WAL, a committed save survives a crash of the process; a power loss or OS
   * crash may lose the last few saves (the database stays consistent). `'full'`: every commit is fsynced
   * and survives a power loss too, at several times the cost of a write.
   */
  synchronous?: 'normal' | 'full'
}

/** The validated options. */
export type ResolvedSqliteOptions =
  | {
      readonly kind: 'path'
      readonly path: string
      readonly table: string
      readonly busyTimeoutMs: number
      readonly synchronous: 'normal' | 'full'
    }
  | { readonly kind: 'database'; readonly database: Database; readonly table: string }

/** The default database file name, in the working directory. */
export const DEFAULT_PATH = 'sessions.sqlite3'
/** The default table name. */
export const DEFAULT_TABLE = 'sess_sessions'
/** The default busy timeout in milliseconds. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/** Validates {@link SqliteEngineOptions}; bad values throw `SessionError('CONFIG')`. */
export function resolveSqliteOptions(options: SqliteEngineOptions | undefined): ResolvedSqliteOptions {
  const o = options ?? {}
  if (typeof o !== 'object' || o === null) throw config(`options must be an object, not ${describe(o)}`)
  const table = o.table ?? DEFAULT_TABLE
  if (typeof table !== 'string' || !IDENTIFIER.test(table) || table.toLowerCase().startsWith('sqlite_')) {
    throw config(`table must be a plain identifier (letters, digits, _; not starting with a digit or sqlite_), not ${describe(table)}`)
  }
  if (o.database !== undefined) {
    if (o.path !== undefined) throw config('pass either path or database, not both')
    if (o.busyTimeoutMs !== undefined || o.synchronous !== undefined) {
      throw config('busyTimeoutMs and synchronous apply only to a database the engine opens; set them on your own database instead')
    }
    const db = o.database as Partial<Database> | null
    if (typeof db !== 'object' || db === null || typeof db.prepare !== 'function' || typeof db.exec !== 'function') {
      throw config('database must be an open better-sqlite3 Database')
    }
    if (db.open !== true) throw config('database is closed')
    return { kind: 'database', database: o.database, table }
  }
  const path = o.path ?? DEFAULT_PATH
  if (typeof path !== 'string' || path.length === 0 || path.includes('\u0000'))
    throw config(`path must be a file path, not ${describe(path)}`)
  if (path === ':memory:' || path.startsWith('file:')) {
    throw config('path must be a file path (an in-memory database would lose every session: use @sess/memory for that)')
  }
  const busyTimeoutMs = o.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS
  if (typeof busyTimeoutMs !== 'number' || !Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw config(`busyTimeoutMs must be a whole number of milliseconds ≥ 0, not ${describe(busyTimeoutMs)}`)
  }
  const synchronous = o.synchronous ?? 'normal'
  if (synchronous !== 'normal' && synchronous !== 'full')
    throw config(`synchronous must be 'normal' or 'full', not ${describe(synchronous)}`)
  return { kind: 'path', path: resolve(path), table, busyTimeoutMs, synchronous }
}

function config(message: string): SessionError {
  return new SessionError('CONFIG', 'sqlite', message)
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}
