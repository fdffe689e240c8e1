import {
  type DestroyUserOptions,
  type EngineStats,
  engineError,
  SessionError,
  type SessionEngine,
  type SessionRecord,
} from '@sess/core/engine'
import { closeSync, openSync } from 'node:fs'
import BetterSqlite3, { type Database } from 'better-sqlite3'
import { keyDigest } from './key-digest.js'
import { resolveSqliteOptions, type SqliteEngineOptions } from './options.js'
import { ensureSchema } from './schema.js'
import { prepareStatements, type Row, type Statements } from './statements.js'

/** The SQLite engine: {@link SessionEngine} with every optional method, plus its database. */
export interface SqliteEngine extends SessionEngine {
  /** The better-sqlite3 database in use (opened by the engine, or the one passed in). */
  readonly database: Database
  touch(key: string, expiresAt: Date): Promise<void>
  purgeExpired(now: Date): Promise<number>
  listUser(userId: string, now: Date): Promise<SessionRecord[]>
  destroyUser(userId: string, options?: DestroyUserOptions): Promise<number>
  stats(now: Date): Promise<EngineStats>
  dispose(): Promise<void>
}

/**
 * The embedded default engine (Django's "db" backend): one SQLite table through better-sqlite3, in WAL
 * mode, with statements prepared once, an index on the expiry and a partial index on the signed-in user
 * (`listUser`/`destroyUser`, the `userIndex` capability). A save resolves after its transaction committed.
 * Several processes on one machine may share the file; several machines may not.
 *
 * Opening is synchronous: a file that cannot be opened or is not a database throws `SessionError('ENGINE')`
 * here, at start-up; later driver failures reject with `SessionError('ENGINE')`.
 *
 * @example
 * ```ts
 * import { createSessions } from '@sess/core'
 * import { sqliteEngine } from '@sess/sqlite'
 * const sessions = createSessions({ engine: sqliteEngine({ path: 'var/sessions.sqlite3' }) })
 * ```
 */
export function sqliteEngine(options?: SqliteEngineOptions): SqliteEngine {
  const resolved = resolveSqliteOptions(options)
  const owned = resolved.kind === 'path'
  let db: Database | undefined
  let statements: Statements
  try {
    if (resolved.kind === 'path') {
      createPrivately(resolved.path)
      db = new BetterSqlite3(resolved.path, { timeout: resolved.busyTimeoutMs })
      const mode = switchToWal(db, resolved.busyTimeoutMs)
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`could not switch to WAL (journal_mode is ${String(mode)})`)
      db.pragma(`synchronous = ${resolved.synchronous.toUpperCase()}`)
    } else {
      db = resolved.database
    }
    ensureSchema(db, resolved.table)
    statements = prepareStatements(db, resolved.table)
  } catch (error) {
    if (owned && db?.open) db.close()
    const where = resolved.kind === 'path' ? resolved.path : 'the given database'
    throw new SessionError('ENGINE', 'sqlite', `cannot open ${where}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    })
  }
  const database = db
  const { read, exists, insert, update, updateIfVersion, destroy, touch, purge, purgeCorrupt, listUser, destroyUser, stats, bytes } =
    statements

  return {
    name: 'sqlite',
    capabilities: { durable: true, touch: true, purge: true, userIndex: true },
    database,

    async read(key, now) {
      let row: ReturnType<typeof read.get>
      try {
        row = read.get(keyDigest(key), now.getTime())
      } catch (error) {
        throw engineError('sqlite', 'read', error)
      }
      return row === undefined ? null : toRecord(row)
    },

    async create(key, record) {
      try {
        insert.run(keyDigest(key), record.payload, record.expiresAt.getTime(), record.version, record.userId ?? null, userHandle(record))
      } catch (error) {
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          throw new SessionError('KEY_CONFLICT', 'sqlite', 'a session with this key exists', { cause: error })
        }
        throw engineError('sqlite', 'create', error)
      }
    },

    async update(key, record, ifVersion) {
      let conflict: boolean
      try {
        const expiresAt = record.expiresAt.getTime()
        const digest = keyDigest(key)
        const userId = record.userId ?? null
        const handle = userHandle(record)
        const { changes } =
          ifVersion === undefined
            ? update.run(record.payload, expiresAt, record.version, userId, handle, digest)
            : updateIfVersion.run(record.payload, expiresAt, record.version, userId, handle, digest, ifVersion)
        if (changes !== 0) return
        // Failure path only: tell a newer version from a vanished session.
        conflict = ifVersion !== undefined && exists.get(digest) !== undefined
      } catch (error) {
        throw engineError('sqlite', 'update', error)
      }
      if (conflict) throw new SessionError('VERSION_CONFLICT', 'sqlite', `the session changed meanwhile (expected version ${ifVersion})`)
      throw new SessionError('NOT_FOUND', 'sqlite', 'the session no longer exists')
    },

    async destroy(key) {
      try {
        destroy.run(keyDigest(key))
      } catch (error) {
        throw engineError('sqlite', 'destroy', error)
      }
    },

    async touch(key, expiresAt) {
      try {
        touch.run(expiresAt.getTime(), keyDigest(key))
      } catch (error) {
        throw engineError('sqlite', 'touch', error)
      }
    },

    async purgeExpired(now) {
      try {
        return database.transaction(() => purge.run(now.getTime()).changes + purgeCorrupt.run().changes)()
      } catch (error) {
        throw engineError('sqlite', 'purgeExpired', error)
      }
    },

    async listUser(userId, now) {
      try {
        return listUser.all(userId, now.getTime()).map(toRecord)
      } catch (error) {
        throw engineError('sqlite', 'listUser', error)
      }
    },

    async destroyUser(userId, options) {
      try {
        return destroyUser.run({ userId, handle: options?.handle ?? null, exceptHandle: options?.exceptHandle ?? null }).changes
      } catch (error) {
        throw engineError('sqlite', 'destroyUser', error)
      }
    },

    async stats(now) {
      try {
        // One read transaction: the counts and the size describe the same moment.
        return database.transaction(() => {
          const row = stats.get(now.getTime())!
          return {
            sessions: row.sessions,
            earliestExpiry: row.earliest === null ? null : new Date(row.earliest),
            latestExpiry: row.latest === null ? null : new Date(row.latest),
            bytes: bytes === undefined ? null : (bytes.get() ?? 0),
            signedIn: row.signed_in,
          }
        })()
      } catch (error) {
        throw engineError('sqlite', 'stats', error)
      }
    },

    async dispose() {
      if (owned && database.open) database.close()
    },
  }
}

/** A stored row as a record: `userId` and `handle` only when the session is signed in. */
function toRecord(row: Row): SessionRecord {
  const record: SessionRecord = { payload: row.payload, expiresAt: new Date(row.expires_at), version: row.version }
  if (row.user_id !== null) {
    record.userId = row.user_id
    if (row.handle !== null) record.handle = row.handle
  }
  return record
}

/** The handle stored with a record: only a signed-in record has one in the index. */
function userHandle(record: SessionRecord): string | null {
  return (record.userId ?? null) === null ? null : (record.handle ?? null)
}

/**
 * Creates the database file with mode 0600 when it does not exist yet, so that only this user can read it; SQLite
 * gives its `-wal` and `-shm` files the mode of the database file. An existing file keeps its mode.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error
  }
}

/**
 * Sets `journal_mode = WAL`. Switching takes an exclusive lock and SQLite answers SQLITE_BUSY at once, without its
 * busy handler, when another process opens the same new file at that moment: retried every 10 ms for up to
 * `busyTimeoutMs` (the constructor is synchronous, so the pause is `Atomics.wait`).
 */
function switchToWal(db: Database, busyTimeoutMs: number): unknown {
  const deadline = Date.now() + busyTimeoutMs
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true })
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error
      Atomics.wait(pause, 0, 0, 10)
    }
  }
}
