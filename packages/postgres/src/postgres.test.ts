import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { isSessionError, type SessionEvent } from '@sess/core'
import { expectSessionError, newKey, record } from '@sess/engine-tests'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import type { PgPoolLike } from './options.js'
import { postgresEngine } from './postgres-engine.js'
import { DEFAULT_TABLE, SCHEMA_CURRENT_SQL, schemaSql, tableName } from './schema.js'
import { DATABASE_URL, freshTable, testPool } from './test-support.js'

const pool = testPool()
const table = freshTable('suite')
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex')

/** A pool wrapper that records the text of every statement. */
function counting(): { texts: string[]; pool: PgPoolLike } {
  const texts: string[] = []
  return {
    texts,
    pool: {
      query: (config) => {
        texts.push(config.text)
        return pool.query(config)
      },
    },
  }
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('postgres engine specifics', () => {
  it('keys rows by the SHA-256 of the session key; the key itself is stored nowhere', async () => {
    const e = postgresEngine({ pool, table })
    const key = newKey()
    await e.create(key, record('{"d":{"user":"zoe"},"c":1}', later))
    const { rows } = await pool.query(`SELECT * FROM ${table} WHERE key_hash = $1`, [sha256(key)])
    expect(rows).toHaveLength(1)
    const dump = await pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE key_hash LIKE $1 OR payload LIKE $1`, [`%${key}%`])
    expect(dump.rows[0].n).toBe(0)
  })

  it('creates the table once, lazily, however many operations race for it', async () => {
    const t = freshTable('lazy')
    const { texts, pool: p } = counting()
    const e = postgresEngine({ pool: p, table: t })
    expect(texts).toEqual([])
    await Promise.all(Array.from({ length: 20 }, () => e.read(newKey(), now)))
    await e.create(newKey(), record())
    // One catalog query finds the table missing, the four DDL statements run once, then the 21 operations.
    expect(texts.filter((text) => text === SCHEMA_CURRENT_SQL)).toHaveLength(1)
    expect(texts.filter((text) => text.includes('CREATE TABLE'))).toHaveLength(1)
    expect(texts).toHaveLength(1 + 4 + 21)
  })

  it('runs every operation as one statement; the versioned update included', async () => {
    const { texts, pool: p } = counting()
    const e = postgresEngine({ pool: p, table })
    await e.read(newKey(), now)
    texts.length = 0
    const key = newKey()
    await e.read(key, now)
    await e.create(key, record('{}', later, 1))
    await e.update(key, record('{"v":2}', later, 2), 1)
    await expectSessionError(e.update(key, record('{"v":3}', later, 3), 1), 'VERSION_CONFLICT')
    await expectSessionError(e.update(newKey(), record('{"v":3}', later, 3), 1), 'NOT_FOUND')
    await e.touch!(key, later)
    await e.destroy(key)
    expect(texts.map((t) => t.trim().split(/\s/)[0])).toEqual(['SELECT', 'INSERT', 'WITH', 'WITH', 'WITH', 'UPDATE', 'DELETE'])
  })

  it('purges in batches and returns the total', async () => {
    const t = freshTable('purge')
    const { texts, pool: p } = counting()
    const e = postgresEngine({ pool: p, table: t, purgeBatchSize: 100 })
    await e.read(newKey(), now) // creates the table
    const expiredAt = new Date(Date.UTC(2030, 0, 1, 6))
    await pool.query(
      `INSERT INTO ${t} (key_hash, payload, version, expires_at)
       SELECT md5(i::text || 'x') || md5(i::text), '{}', 1, $1::timestamptz - (i || ' seconds')::interval FROM generate_series(0, 2499) AS i`,
      [expiredAt],
    )
    const live = newKey()
    await e.create(live, record('{}', new Date(expiredAt.getTime() + 1)))
    texts.length = 0
    expect(await e.purgeExpired!(expiredAt)).toBe(2500)
    expect(texts).toHaveLength(26) // 25 full batches and one that finds nothing
    expect(await e.read(live, new Date(expiredAt.getTime() - 1))).not.toBeNull()
    expect(await e.purgeExpired!(expiredAt)).toBe(0)
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${t}`)
    expect(rows[0].n).toBe(1)
  })

  it('purges more than the default batch of 1000 in one call', async () => {
    const t = freshTable('purge_default')
    const e = postgresEngine({ pool, table: t })
    await e.read(newKey(), now)
    await pool.query(
      `INSERT INTO ${t} (key_hash, payload, version, expires_at) SELECT md5(i::text) || md5(i::text || 'y'), '{}', 1, $1 FROM generate_series(1, 2345) AS i`,
      [now],
    )
    expect(await e.purgeExpired!(now)).toBe(2345)
  })

  it('ships schema.sql: the same DDL as created on demand, and enough to run the engine', async () => {
    const shipped = await readFile(new URL('../schema.sql', import.meta.url), 'utf8')
    expect(shipped).toBe(schemaSql(tableName(DEFAULT_TABLE)))

    const applied = freshTable('applied')
    await pool.query(shipped.replaceAll(DEFAULT_TABLE, applied))
    const onDemand = freshTable('ondemand')
    await postgresEngine({ pool, table: onDemand }).read(newKey(), now)
    const shape = async (t: string) => {
      const columns = await pool.query(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
        [t],
      )
      const indexes = await pool.query(`SELECT replace(indexdef, $1, 'T') AS def FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [
        t,
      ])
      return { columns: columns.rows, indexes: indexes.rows.map((r) => r.def) }
    }
    const a = await shape(applied)
    expect(a.columns.map((c) => c.column_name)).toEqual(['key_hash', 'payload', 'version', 'expires_at', 'user_id', 'handle'])
    expect(a.indexes).toHaveLength(3)
    expect(a).toEqual(await shape(onDemand))

    const e = postgresEngine({ pool, table: applied, createTable: false })
    const key = newKey()
    await e.create(key, record('{"v":1}', later, 1))
    await e.update(key, record('{"v":2}', later, 2), 1)
    expect(await e.read(key, now)).toEqual({ payload: '{"v":2}', expiresAt: later, version: 2 })
  })

  it('with createTable: false and no table, operations fail with SessionError(ENGINE)', async () => {
    const e = postgresEngine({ pool, table: freshTable('missing'), createTable: false })
    await expectSessionError(e.read(newKey(), now), 'ENGINE')
  })

  it('a pool that cannot connect gives SessionError(ENGINE) with the cause, and the engine works once it can', async () => {
    const port = await closedPort()
    const e = postgresEngine({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, table })
    for (const op of [
      e.read(newKey(), now),
      e.create(newKey(), record()),
      e.update(newKey(), record(), 1),
      e.destroy(newKey()),
      e.purgeExpired!(now),
    ]) {
      const error = await op.catch((x: unknown) => x)
      expect(isSessionError(error, 'ENGINE'), String(error)).toBe(true)
      expect((error as Error).message).toMatch(/^\[@sess\/postgres\] \w+ failed: .*ECONNREFUSED/)
      expect((error as Error).cause).toBeDefined()
    }
    await e.dispose!()

    // A table creation that failed is tried again by the next operation.
    let down = true
    const flaky: PgPoolLike = {
      query: (config) =>
        down ? Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) : pool.query(config),
    }
    const t = freshTable('retry')
    const f = postgresEngine({ pool: flaky, table: t })
    await expectSessionError(f.read(newKey(), now), 'ENGINE')
    down = false
    expect(await f.read(newKey(), now)).toBeNull()
  })

  it('survives a terminated backend: the owned pool reports it, replaces the connection and goes on', async () => {
    const events: SessionEvent[] = []
    const appName = `sess_terminate_${process.pid}`
    const e = postgresEngine({
      connectionString: `${DATABASE_URL}?application_name=${appName}`,
      table,
      onEvent: (event) => events.push(event),
    })
    const key = newKey()
    await e.create(key, record('{"before":true}', later))
    const { rows } = await pool.query(`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1`, [
      appName,
    ])
    expect(rows.length).toBeGreaterThan(0)
    // the idle connection's error reaches the pool's listener, not the process
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(events[0]).toMatchObject({ type: 'store.degraded', store: 'postgres', action: 'idle connection' })
    expect((await e.read(key, now))?.payload).toBe('{"before":true}')
    await e.dispose!()
  })

  it('a terminated backend in the middle of a statement gives SessionError(ENGINE)', async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL })
    client.on('error', () => undefined)
    await client.connect()
    const { rows } = await client.query('SELECT pg_backend_pid() AS pid')
    const single: PgPoolLike = { query: (config) => client.query(config) }
    const e = postgresEngine({ pool: single, table })
    await e.read(newKey(), now)
    // Hold the row lock from another connection so the engine's update waits, then kill the engine's backend.
    const key = newKey()
    await e.create(key, record('{}', later, 1))
    const locker = await pool.connect()
    await locker.query('BEGIN')
    await locker.query(`SELECT 1 FROM ${table} WHERE key_hash = $1 FOR UPDATE`, [sha256(key)])
    // The expectation is attached before the backend dies: the rejection may land before terminate returns.
    const outcome = expectSessionError(e.update(key, record('{"v":2}', later, 2), 1), 'ENGINE')
    await pool.query(`SELECT pg_terminate_backend($1)`, [rows[0].pid])
    await outcome
    await locker.query('ROLLBACK')
    locker.release()
    await client.end().catch(() => undefined)
  })

  it('dispose ends an owned pool but never a pool passed in', async () => {
    const mine = new pg.Pool({ connectionString: DATABASE_URL, max: 1 })
    const e = postgresEngine({ pool: mine, table })
    await e.read(newKey(), now)
    await e.dispose!()
    await e.dispose!()
    expect((await mine.query('SELECT 1 AS one')).rows[0].one).toBe(1)
    await mine.end()

    const owned = postgresEngine({ connectionString: DATABASE_URL, table })
    await owned.read(newKey(), now)
    await owned.dispose!()
    await expectSessionError(owned.read(newKey(), now), 'ENGINE')
  })

  it('validates the table name: table or schema.table in lower-case identifier grammar, else CONFIG', async () => {
    for (const good of ['sessions', 'public.sessions', '_s1', 'a'.repeat(48)])
      expect(() => postgresEngine({ pool, table: good })).not.toThrow()
    for (const bad of [
      '',
      'Sessions',
      '1st',
      'a-b',
      'a b',
      'x; DROP TABLE users',
      'a"b',
      'a.b.c',
      '.a',
      'a.',
      'a'.repeat(49),
      'sessions--',
      42,
      null,
    ]) {
      let error: unknown
      try {
        postgresEngine({ pool, table: bad as string })
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG'), JSON.stringify(bad)).toBe(true)
    }
    const t = freshTable('schema_q')
    const e = postgresEngine({ pool, table: `public.${t}` })
    const key = newKey()
    await e.create(key, record('{}', later))
    expect(await e.read(key, now)).not.toBeNull()
  })

  it('refuses other unusable options with SessionError(CONFIG)', () => {
    for (const bad of [
      {},
      { pool, connectionString: DATABASE_URL },
      { pool: {} },
      { connectionString: '' },
      { pool, purgeBatchSize: 0 },
      { pool, purgeBatchSize: 1.5 },
    ]) {
      let error: unknown
      try {
        postgresEngine(bad as never)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG'), Object.keys(bad).join()).toBe(true)
    }
  })
})
