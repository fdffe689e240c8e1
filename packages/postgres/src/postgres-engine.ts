import { createHash, hash as oneShotHash } from 'node:crypto'
import {
  type DestroyUserOptions,
  type EngineStats,
  engineError,
  SessionError,
  type SessionEngine,
  type SessionEventListener,
  type SessionRecord,
} from '@sess/core/engine'
import { Pool } from 'pg'
import { NAME, resolvePostgresOptions, type PgPoolLike, type PostgresEngineOptions } from './options.js'
import { SCHEMA_CURRENT_SQL, schemaStatements, type TableName } from './schema.js'

const UNIQUE_VIOLATION = '23505'
const DUPLICATE_TABLE = '42P07'
const DUPLICATE_COLUMN = '42701'
const DUPLICATE_OBJECT = '42710'
/** What a concurrent creator of the same table, type, index or column makes PostgreSQL answer. */
const CONCURRENT_CREATOR = new Set([UNIQUE_VIOLATION, DUPLICATE_TABLE, DUPLICATE_COLUMN, DUPLICATE_OBJECT])

/** The PostgreSQL engine: {@link SessionEngine} with every optional method. */
export interface PostgresEngine extends SessionEngine {
  touch(key: string, expiresAt: Date): Promise<void>
  purgeExpired(now: Date): Promise<number>
  listUser(userId: string, now: Date): Promise<SessionRecord[]>
  destroyUser(userId: string, options?: DestroyUserOptions): Promise<number>
  stats(now: Date): Promise<EngineStats>
  dispose(): Promise<void>
}

/**
 * The expiry as ms since the epoch, computed by the server: pg's text parser for `timestamptz` (a regular expression
 * and a `Date` per row) costs more than the rest of a read. Exact to the microsecond the column holds.
 */
const EXPIRES_MS = '(extract(epoch from expires_at) * 1000)::float8 AS expires_ms'

/** A row as read back; `user_id`/`handle` are `null` for an anonymous session. */
interface Row {
  payload: string
  version: number
  /** The expiry in ms since the epoch (`Infinity` for 'infinity'): no `Date` parsed from text per row. */
  expires_ms: number
  user_id: string | null
  handle: string | null
}

/**
 * A session engine on PostgreSQL through `pg`: one row per session keyed by the SHA-256 of the session key, with a
 * partial index on the signed-in user (`listUser`/`destroyUser`, the `userIndex` capability).
 * Costs: read, create, update, touch, destroy and destroyUser are one statement each (one round trip);
 * `purgeExpired` one per batch.
 * @throws SessionError('CONFIG') for bad options.
 */
export function postgresEngine(options: PostgresEngineOptions): PostgresEngine {
  const { pool: given, connectionString, table, createTable: creates, purgeBatchSize: batch, onEvent } = resolvePostgresOptions(options)

  let owned: Pool | undefined
  if (connectionString !== undefined) {
    owned = new Pool({ connectionString, connectionTimeoutMillis: 10_000 })
    // An idle connection that dies must not crash the process: the pool drops it and opens another on demand.
    owned.on('error', (error) => report(onEvent, { type: 'store.degraded', store: NAME, action: 'idle connection', error }))
  }
  const pool: PgPoolLike = owned ?? given!
  let disposed = false

  // Prepared statement names are per connection; a short hash keeps two tables on one pool apart.
  const tag = createHash('sha256').update(table.text).digest('hex').slice(0, 12)
  const statements = {
    read: {
      name: `sess_read_${tag}`,
      text: `SELECT payload, version, ${EXPIRES_MS}, user_id, handle FROM ${table.sql} WHERE key_hash = $1 AND expires_at > $2`,
    },
    create: {
      name: `sess_create_${tag}`,
      text: `INSERT INTO ${table.sql} (key_hash, payload, version, expires_at, user_id, handle) VALUES ($1, $2, $3, $4, $5, $6)`,
    },
    update: {
      name: `sess_update_${tag}`,
      text: `WITH updated AS (
  UPDATE ${table.sql} SET payload = $2, version = $3, expires_at = $4, user_id = $6, handle = $7
  WHERE key_hash = $1 AND ($5::integer IS NULL OR version = $5::integer)
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM updated) AS updated, EXISTS (SELECT 1 FROM ${table.sql} WHERE key_hash = $1) AS present`,
    },
    destroy: { name: `sess_destroy_${tag}`, text: `DELETE FROM ${table.sql} WHERE key_hash = $1` },
    touch: { name: `sess_touch_${tag}`, text: `UPDATE ${table.sql} SET expires_at = $2 WHERE key_hash = $1` },
    purge: {
      name: `sess_purge_${tag}`,
      text: `DELETE FROM ${table.sql} WHERE key_hash IN (SELECT key_hash FROM ${table.sql} WHERE expires_at <= $1 OR expires_at = 'infinity' LIMIT $2)`,
    },
    listUser: {
      name: `sess_list_user_${tag}`,
      text: `SELECT payload, version, ${EXPIRES_MS}, user_id, handle FROM ${table.sql} WHERE user_id = $1 AND expires_at > $2`,
    },
    destroyUser: {
      name: `sess_destroy_user_${tag}`,
      text: `DELETE FROM ${table.sql} WHERE user_id = $1 AND ($2::text IS NULL OR handle = $2::text) AND ($3::text IS NULL OR handle IS DISTINCT FROM $3::text)`,
    },
    // 'infinity' (a corrupt row, see read) is no session: left out of the counts. `bytes`: each live row as stored
    // (pg_column_size of the whole row: after TOAST compression; indexes, dead rows and free space not counted).
    stats: {
      name: `sess_stats_${tag}`,
      text: `SELECT count(*) AS sessions, min(expires_at) AS earliest, max(expires_at) AS latest, count(user_id) AS signed_in,
  coalesce(sum(pg_column_size(t.*)), 0) AS bytes
FROM ${table.sql} AS t WHERE expires_at > $1 AND expires_at < 'infinity'`,
    },
  }

  let ready: Promise<void> | undefined
  const ensureTable = (): Promise<void> => {
    if (!creates) return Promise.resolve()
    ready ??= createTable(pool, table).catch((error: unknown) => {
      ready = undefined // the next operation tries again
      throw error
    })
    return ready
  }

  const query = async (action: string, statement: { name: string; text: string }, values: unknown[]) => {
    if (disposed) throw new SessionError('ENGINE', NAME, `${action} failed: the engine was disposed`)
    try {
      await ensureTable()
      return await pool.query({ ...statement, values })
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION && action === 'create') {
        throw new SessionError('KEY_CONFLICT', NAME, 'a session with this key exists', { cause: error })
      }
      throw engineError(NAME, action, error)
    }
  }

  return {
    name: NAME,
    capabilities: { durable: true, touch: true, purge: true, userIndex: true },

    async read(key: string, now: Date): Promise<SessionRecord | null> {
      const { rows } = await query('read', statements.read, [hash(key), iso(now)])
      const row = rows[0] as Row | undefined
      return row ? toRecord(row) : null
    },

    async create(key: string, record: SessionRecord): Promise<void> {
      await query('create', statements.create, [
        hash(key),
        record.payload,
        record.version,
        iso(validDate(record.expiresAt)),
        record.userId ?? null,
        userHandle(record),
      ])
    },

    async update(key: string, record: SessionRecord, ifVersion?: number): Promise<void> {
      const { rows } = await query('update', statements.update, [
        hash(key),
        record.payload,
        record.version,
        iso(validDate(record.expiresAt)),
        ifVersion ?? null,
        record.userId ?? null,
        userHandle(record),
      ])
      const row = rows[0] as { updated: boolean; present: boolean }
      if (row.updated) return
      if (!row.present) throw new SessionError('NOT_FOUND', NAME, 'the session no longer exists')
      throw new SessionError('VERSION_CONFLICT', NAME, 'the session was saved by another request')
    },

    async destroy(key: string): Promise<void> {
      await query('destroy', statements.destroy, [hash(key)])
    },

    async touch(key: string, expiresAt: Date): Promise<void> {
      await query('touch', statements.touch, [hash(key), validDate(expiresAt)])
    },

    async purgeExpired(now: Date): Promise<number> {
      let total = 0
      for (;;) {
        const { rowCount } = await query('purgeExpired', statements.purge, [now, batch])
        total += rowCount ?? 0
        if ((rowCount ?? 0) < batch) return total
      }
    },

    async listUser(userId: string, now: Date): Promise<SessionRecord[]> {
      const { rows } = await query('listUser', statements.listUser, [userId, now])
      return (rows as unknown as Row[]).map(toRecord)
    },

    async destroyUser(userId: string, options?: DestroyUserOptions): Promise<number> {
      const { rowCount } = await query('destroyUser', statements.destroyUser, [
        userId,
        options?.handle ?? null,
        options?.exceptHandle ?? null,
      ])
      return rowCount ?? 0
    },

    async stats(now: Date): Promise<EngineStats> {
      const { rows } = await query('stats', statements.stats, [now])
      const row = rows[0] as { sessions: string; earliest: Date | null; latest: Date | null; signed_in: string; bytes: string }
      return {
        sessions: Number(row.sessions),
        earliestExpiry: row.earliest === null ? null : new Date(row.earliest.getTime()),
        latestExpiry: row.latest === null ? null : new Date(row.latest.getTime()),
        bytes: Number(row.bytes),
        signedIn: Number(row.signed_in),
      }
    },

    async dispose(): Promise<void> {
      if (disposed) return
      disposed = true
      await owned?.end()
    },
  }
}

/**
 * Brings the table to the current shape unless it has it already (one catalog query, no lock): otherwise runs the
 * DDL statement by statement. A concurrent creator in another process (a duplicate table, type, index or column:
 * its transaction committed between our `IF NOT EXISTS` check and our insert into the catalog) counts as success
 * after a retry of that statement, which then finds the object there (at most 3 attempts).
 */
async function createTable(pool: PgPoolLike, table: TableName): Promise<void> {
  const { rows } = await pool.query({ text: SCHEMA_CURRENT_SQL, values: [table.sql, table.userIndexSql] })
  if (rows[0]?.current === true) return
  for (const ddl of schemaStatements(table)) {
    for (let attempt = 1; ; attempt++) {
      try {
        await pool.query({ text: ddl })
        break
      } catch (error) {
        if (attempt === 3 || !CONCURRENT_CREATOR.has((error as { code?: string } | null)?.code ?? '')) throw error
      }
    }
  }
}

/** A stored row as a record: `userId` and `handle` only when the session is signed in. */
function toRecord(row: Row): SessionRecord {
  // `infinity` comes back as Infinity: an invalid Date, which core reports as store.corrupt and deletes.
  const expiresAt = new Date(Number.isFinite(row.expires_ms) ? row.expires_ms : Number.NaN)
  const record: SessionRecord = { payload: row.payload, version: row.version, expiresAt }
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

/** The SHA-256 (hex) of a session key: Node's one-shot hash where there is one (≥ 20.12), no Hash object per call. */
const hash: (key: string) => string =
  typeof oneShotHash === 'function' ? (key) => oneShotHash('sha256', key, 'hex') : (key) => createHash('sha256').update(key).digest('hex')

/**
 * A date parameter as ISO 8601 text (what pg would send, without its per-value time-zone formatting); an invalid
 * date is passed on as it is, for pg to refuse.
 */
function iso(date: Date): string | Date {
  return Number.isNaN(date.getTime()) ? date : date.toISOString()
}

function validDate(date: Date): Date {
  if (Number.isNaN(date.getTime())) throw new SessionError('DATA', NAME, 'expiresAt is not a valid date')
  return date
}

function report(listener: SessionEventListener | undefined, event: Parameters<SessionEventListener>[0]): void {
  try {
    listener?.(event)
  } catch {
    // listeners must not throw; if one does, nothing else changes
  }
}
