import { createHash } from 'node:crypto'
import { engineError, SessionError, type SessionEngine, type SessionEventListener, type SessionRecord } from '@sess/core/engine'
import { Pool } from 'pg'
import { NAME, resolvePostgresOptions, type PgPoolLike, type PostgresEngineOptions } from './options.js'
import { schemaSql } from './schema.js'

const UNIQUE_VIOLATION = '23505'
const DUPLICATE_TABLE = '42P07'

/**
 * A session engine on PostgreSQL through `pg`: one row per session keyed by the SHA-256 of the session key.
 * Costs: read, create, update, touch and destroy are one statement each (one round trip); `purgeExpired` one per batch.
 * @throws SessionError('CONFIG') for bad options.
 */
export function postgresEngine(options: PostgresEngineOptions): SessionEngine {
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
      text: `SELECT payload, version, expires_at FROM ${table.sql} WHERE key_hash = $1 AND expires_at > $2`,
    },
    create: {
      name: `sess_create_${tag}`,
      text: `INSERT INTO ${table.sql} (key_hash, payload, version, expires_at) VALUES ($1, $2, $3, $4)`,
    },
    update: {
      name: `sess_update_${tag}`,
      text: `WITH updated AS (
  UPDATE ${table.sql} SET payload = $2, version = $3, expires_at = $4
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
  }

  let ready: Promise<void> | undefined
  const ensureTable = (): Promise<void> => {
    if (!creates) return Promise.resolve()
    ready ??= createTable(pool, schemaSql(table)).catch((error: unknown) => {
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
    capabilities: { durable: true, touch: true, purge: true },

    async read(key: string, now: Date): Promise<SessionRecord | null> {
      const { rows } = await query('read', statements.read, [hash(key), now])
      const row = rows[0] as { payload: string; version: number; expires_at: Date } | undefined
      if (!row) return null
      // `infinity` comes back as a number, not a Date: an invalid Date, which core reports as store.corrupt and deletes.
      const expiresAt = row.expires_at instanceof Date ? new Date(row.expires_at.getTime()) : new Date(Number.NaN)
      return { payload: row.payload, version: row.version, expiresAt }
    },

    async create(key: string, record: SessionRecord): Promise<void> {
      await query('create', statements.create, [hash(key), record.payload, record.version, validDate(record.expiresAt)])
    },

    async update(key: string, record: SessionRecord, ifVersion?: number): Promise<void> {
      const { rows } = await query('update', statements.update, [
        hash(key),
        record.payload,
        record.version,
        validDate(record.expiresAt),
        ifVersion ?? null,
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

    async dispose(): Promise<void> {
      if (disposed) return
      disposed = true
      await owned?.end()
    },
  }
}

/** Runs the DDL; a concurrent creator from another process (duplicate type/table) counts as success after a retry. */
async function createTable(pool: PgPoolLike, ddl: string): Promise<void> {
  try {
    await pool.query({ text: ddl })
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code
    if (code !== UNIQUE_VIOLATION && code !== DUPLICATE_TABLE) throw error
    await pool.query({ text: ddl })
  }
}

function hash(key: string): string {
  return createHash('sha256').update(key).digest('hex')
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
