import { randomBytes } from 'node:crypto'
import { sessionHandle } from '@sess/core/engine'
import { expectSessionError, newKey, record } from '@sess/engine-tests'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { PgPoolLike } from './options.js'
import { postgresEngine } from './postgres-engine.js'
import { SCHEMA_CURRENT_SQL, schemaSql, tableName } from './schema.js'
import { DATABASE_URL, freshTable, testPool } from './test-support.js'

const pool = testPool()
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const sha256Sql = (key: string) => pool.query(`SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS h`, [key]).then((r) => r.rows[0].h)

/** The DDL of the previous version (no user columns), verbatim. */
const previousDdl = (t: string) => `CREATE TABLE IF NOT EXISTS "${t}" (
  key_hash   text        PRIMARY KEY,
  payload    text        NOT NULL,
  version    integer     NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "${t}_expires_at_idx" ON "${t}" (expires_at);`

/** A table the previous version made, holding `keys.length` sessions. */
async function previousTable(label: string, keys: string[]): Promise<string> {
  const t = freshTable(label)
  await pool.query(previousDdl(t))
  for (const [i, key] of keys.entries()) {
    await pool.query(`INSERT INTO ${t} VALUES ($1, $2, $3, $4)`, [await sha256Sql(key), `{"i":${i}}`, i + 1, later])
  }
  return t
}

async function shape(t: string) {
  const columns = await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [
    t,
  ])
  const indexes = await pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, [t])
  return { columns: columns.rows.map((r) => r.column_name), indexes: indexes.rows.map((r) => r.indexname) }
}

const current = (t: string) => ({
  columns: ['key_hash', 'payload', 'version', 'expires_at', 'user_id', 'handle'],
  indexes: [`${t}_expires_at_idx`, `${t}_pkey`, `${t}_user_id_idx`],
})

/** A pool wrapper that records the text of every statement. */
function counting(inner: PgPoolLike = pool): { texts: string[]; pool: PgPoolLike } {
  const texts: string[] = []
  const query: PgPoolLike['query'] = (config) => {
    texts.push(config.text)
    return inner.query(config)
  }
  return { texts, pool: { query } }
}

describe('postgres: migrating a table of the previous shape to the user index', () => {
  it('adds user_id, handle and the partial index in place: sessions stay, anonymous, and can sign in', async () => {
    const keys = Array.from({ length: 10 }, () => newKey())
    const t = await previousTable('old', keys)
    const e = postgresEngine({ pool, table: t })
    for (const [i, key] of keys.entries()) expect(await e.read(key, now)).toEqual(record(`{"i":${i}}`, later, i + 1))
    expect(await shape(t)).toEqual(current(t))
    await e.update(keys[0]!, { ...record('{"signed":1}', later, 2), userId: 'ada', handle: sessionHandle(keys[0]!) }, 1)
    expect((await e.listUser('ada', now)).map((r) => r.payload)).toEqual(['{"signed":1}'])
    expect(await e.stats(now)).toMatchObject({ sessions: 10, signedIn: 1 })
  })

  it('a table already in shape costs one catalog query at start-up and no DDL (so no lock)', async () => {
    const t = freshTable('current')
    await postgresEngine({ pool, table: t }).read(newKey(), now)
    const { texts, pool: p } = counting()
    await postgresEngine({ pool: p, table: t }).read(newKey(), now)
    expect(texts).toHaveLength(2)
    expect(texts[0]).toBe(SCHEMA_CURRENT_SQL)
  })

  it('the same in a schema other than public (the index is looked up where it lives)', async () => {
    const schema = `sess_test_schema_${process.pid}_${randomBytes(3).toString('hex')}`
    await pool.query(`CREATE SCHEMA ${schema}`)
    afterAll(() => pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
    const table = `${schema}.sessions`
    const e = postgresEngine({ pool, table })
    const key = newKey()
    await e.create(key, { ...record(), userId: 'ada', handle: sessionHandle(key) })
    const { texts, pool: p } = counting()
    const again = postgresEngine({ pool: p, table })
    expect((await again.listUser('ada', now)).map((r) => r.handle)).toEqual([sessionHandle(key)])
    expect(texts).toHaveLength(2)
    expect(await again.stats(now)).toMatchObject({ sessions: 1, signedIn: 1 })
  })

  it('an engine starting while a long transaction reads the table neither waits for it nor fails', async () => {
    const t = freshTable('busy')
    await postgresEngine({ pool, table: t }).read(newKey(), now)
    const reader = await pool.connect()
    // lock_timeout turns a wait for the reader's lock (an ALTER TABLE would wait) into an error instead of a hang.
    const strict = new pg.Pool({ connectionString: DATABASE_URL, max: 1, options: '-c lock_timeout=1000' })
    try {
      await reader.query('BEGIN')
      await reader.query(`SELECT count(*) FROM ${t}`)
      const key = newKey()
      const e = postgresEngine({ pool: strict, table: t })
      await e.create(key, { ...record(), userId: 'ada', handle: sessionHandle(key) })
      expect(await e.listUser('ada', now)).toHaveLength(1)
    } finally {
      await reader.query('ROLLBACK')
      reader.release()
      await strict.end()
    }
  })

  it('engines of several processes starting at once on a new or an old table all succeed (3 rounds each)', async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: DATABASE_URL, max: 1 }))
    try {
      for (let round = 0; round < 6; round++) {
        const keys = [newKey()]
        const t = round % 2 === 0 ? freshTable('race_new') : await previousTable('race_old', keys)
        const engines = pools.map((p) => postgresEngine({ pool: p, table: t }))
        const reads = await Promise.all(engines.map((e) => e.read(keys[0]!, now)))
        expect(reads.map((r) => r?.payload ?? null)).toEqual(Array(4).fill(round % 2 === 0 ? null : '{"i":0}'))
        expect(await shape(t)).toEqual(current(t))
      }
    } finally {
      await Promise.all(pools.map((p) => p.end()))
    }
  })

  it('with createTable: false, an old table is not touched: the user calls fail with ENGINE until schema.sql is applied', async () => {
    const [key] = [newKey()]
    const t = await previousTable('manual', [key!])
    const e = postgresEngine({ pool, table: t, createTable: false })
    await expectSessionError(e.listUser('ada', now), 'ENGINE')
    expect((await shape(t)).columns).toHaveLength(4)
    await pool.query(schemaSql(tableName(t)))
    expect(await shape(t)).toEqual(current(t))
    expect(await e.read(key!, now)).toEqual(record('{"i":0}', later, 1))
    expect(await e.listUser('ada', now)).toEqual([])
    // schema.sql is idempotent: applying it again changes nothing.
    await pool.query(schemaSql(tableName(t)))
    expect(await shape(t)).toEqual(current(t))
  })
})
