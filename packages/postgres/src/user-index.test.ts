import { randomBytes } from 'node:crypto'
import { sessionHandle, type SessionRecord } from '@sess/core/engine'
import { churnUserIndex, expectSessionError, newKey, record } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import { type PostgresEngine, postgresEngine } from './postgres-engine.js'
import { DATABASE_URL, freshTable, testPool } from './test-support.js'

const pool = testPool()
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const muchLater = new Date(Date.UTC(2030, 0, 3))

/** A record of `userId`'s session under `key`, as core writes it (the handle derived from the key). */
function signedIn(key: string, userId: string, payload = '{"d":{},"c":1}', expiresAt = later, version = 1): SessionRecord {
  return { ...record(payload, expiresAt, version), userId, handle: sessionHandle(key) }
}

/** An engine on a table of its own. */
function fresh(label: string): { e: PostgresEngine; table: string } {
  const table = freshTable(label)
  return { e: postgresEngine({ pool, table }), table }
}

async function sessionsOf(e: PostgresEngine, userId: string, n: number, expiresAt = later): Promise<string[]> {
  const keys = Array.from({ length: n }, () => newKey())
  await Promise.all(keys.map((key, i) => e.create(key, signedIn(key, userId, `{"i":${i}}`, expiresAt))))
  return keys
}

const handles = (records: SessionRecord[]) => records.map((r) => r.handle).sort()
const handlesOf = (keys: string[]) => keys.map(sessionHandle).sort()

/** Rows of `userId` found through the partial index alone (sequential and bitmap scans off, in one transaction). */
async function indexEntries(table: string, userId: string): Promise<number> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query('SET LOCAL enable_seqscan = off')
    await client.query('SET LOCAL enable_bitmapscan = off')
    const plan = await client.query(`EXPLAIN SELECT count(*) FROM ${table} WHERE user_id = $1`, [userId])
    expect(plan.rows.map((r) => r['QUERY PLAN']).join(' ')).toContain(`${table}_user_id_idx`)
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [userId])
    return rows[0].n
  } finally {
    await client.query('ROLLBACK')
    client.release()
  }
}

describe('postgres: the user index', () => {
  it('declares the capability and stores user_id and handle in their own columns, NULL for an anonymous session', async () => {
    const { e, table } = fresh('user_cols')
    expect(e.capabilities).toEqual({ durable: true, touch: true, purge: true, userIndex: true })
    const user = newKey()
    const anonymous = newKey()
    await e.create(user, signedIn(user, 'u1'))
    await e.create(anonymous, record())
    const { rows } = await pool.query(`SELECT user_id, handle FROM ${table} ORDER BY user_id IS NULL`)
    expect(rows).toEqual([
      { user_id: 'u1', handle: sessionHandle(user) },
      { user_id: null, handle: null },
    ])
    expect(await e.read(user, now)).toEqual({ ...record('{"d":{},"c":1}'), userId: 'u1', handle: sessionHandle(user) })
    expect(Object.keys((await e.read(anonymous, now))!).sort()).toEqual(['expiresAt', 'payload', 'version'])
    expect(await indexEntries(table, 'u1')).toBe(1)
  })

  it('the index is partial (signed-in rows only), on (user_id, expires_at), and serves the prepared listUser and destroyUser', async () => {
    const { e, table } = fresh('user_plan')
    await e.read(newKey(), now)
    const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [`${table}_user_id_idx`])
    expect(rows[0].indexdef).toMatch(/USING btree \(user_id, expires_at\) WHERE \(user_id IS NOT NULL\)$/)
    // Many live anonymous rows and no statistics yet (a new table before autovacuum's ANALYZE): listUser must not
    // combine the expiry index into its plan, which scans every live row (a single-column index on user_id does).
    await pool.query(
      `INSERT INTO ${table} (key_hash, payload, version, expires_at) SELECT md5(i::text) || md5(i::text || 'p'), '{}', 1, $1 FROM generate_series(1, 20000) AS i`,
      [later],
    )
    await sessionsOf(e, 'u', 3)
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query('SET LOCAL enable_seqscan = off')
      await client.query(`PREPARE sess_t_list (text, timestamptz) AS SELECT payload FROM ${table} WHERE user_id = $1 AND expires_at > $2`)
      await client.query(
        `PREPARE sess_t_destroy (text, text, text) AS DELETE FROM ${table} WHERE user_id = $1 AND ($2::text IS NULL OR handle = $2::text) AND ($3::text IS NULL OR handle IS DISTINCT FROM $3::text)`,
      )
      for (const mode of ['force_custom_plan', 'force_generic_plan']) {
        await client.query(`SET LOCAL plan_cache_mode = ${mode}`)
        for (const sql of [`EXPLAIN EXECUTE sess_t_list ('u', now())`, `EXPLAIN EXECUTE sess_t_destroy ('u', NULL, 'h')`]) {
          const plan = (await client.query(sql)).rows.map((r) => r['QUERY PLAN']).join('\n')
          expect(plan, `${mode}: ${sql}`).toContain(`${table}_user_id_idx`)
          expect(plan, `${mode}: ${sql}`).not.toContain(`${table}_expires_at_idx`)
        }
      }
    } finally {
      await client.query('ROLLBACK')
      await client.query('DEALLOCATE ALL')
      client.release()
    }
  })

  it("lists a user's live sessions with userId and handle, and nobody else's", async () => {
    const { e } = fresh('user_list')
    const ada = await sessionsOf(e, 'ada', 3)
    const bob = await sessionsOf(e, 'bob', 1)
    await e.create(newKey(), record())
    const listed = await e.listUser('ada', now)
    expect(handles(listed)).toEqual(handlesOf(ada))
    for (const r of listed) {
      expect(r.userId).toBe('ada')
      expect(r.expiresAt).toEqual(later)
      expect(r.version).toBe(1)
      expect(r.payload).toMatch(/^\{"i":\d\}$/)
    }
    expect(handles(await e.listUser('bob', now))).toEqual(handlesOf(bob))
    expect(await e.listUser('nobody', now)).toEqual([])
    expect(await e.listUser('Ada', now)).toEqual([])
    expect(await e.listUser('ad%', now)).toEqual([])
  })

  it('destroyUser removes all of them in one statement, and every read of their keys misses at once', async () => {
    const { e } = fresh('user_destroy')
    const ada = await sessionsOf(e, 'ada', 4)
    const [bob] = await sessionsOf(e, 'bob', 1)
    expect(await e.destroyUser('ada')).toBe(4)
    for (const key of ada) expect(await e.read(key, now)).toBeNull()
    expect(await e.listUser('ada', now)).toEqual([])
    expect(await e.read(bob!, now)).not.toBeNull()
    expect(await e.destroyUser('ada')).toBe(0)
    expect(await e.destroyUser('nobody')).toBe(0)
  })

  it('destroyUser with handle removes only that session (of that user)', async () => {
    const { e } = fresh('user_handle')
    const [a1, a2] = await sessionsOf(e, 'ada', 2)
    const [b1] = await sessionsOf(e, 'bob', 1)
    expect(await e.destroyUser('ada', { handle: sessionHandle(b1!) })).toBe(0)
    expect(await e.destroyUser('ada', { handle: sessionHandle(a1!) })).toBe(1)
    expect(await e.read(a1!, now)).toBeNull()
    expect(await e.read(a2!, now)).not.toBeNull()
    expect(await e.read(b1!, now)).not.toBeNull()
    expect(await e.destroyUser('ada', { handle: sessionHandle(a1!) })).toBe(0)
  })

  it('destroyUser with exceptHandle removes every session but that one', async () => {
    const { e } = fresh('user_except')
    const ada = await sessionsOf(e, 'ada', 4)
    const [b1] = await sessionsOf(e, 'bob', 1)
    const kept = ada[2]!
    expect(await e.destroyUser('ada', { exceptHandle: sessionHandle(kept) })).toBe(3)
    for (const key of ada) expect(await e.read(key, now)).toEqual(key === kept ? expect.anything() : null)
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(kept)])
    expect(await e.read(b1!, now)).not.toBeNull()
    expect(await e.destroyUser('ada', { exceptHandle: 'AAAAAAAAAAAAAAAA' })).toBe(1)
  })

  it('an update moves the record between users, or out of the index when it turns anonymous', async () => {
    const { e, table } = fresh('user_move')
    const key = newKey()
    await e.create(key, record('{"anon":1}', later, 1))
    await e.update(key, signedIn(key, 'ada', '{"ada":1}', later, 2), 1)
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(key)])
    await e.update(key, signedIn(key, 'bob', '{"bob":1}', later, 3), 2)
    expect(await e.listUser('ada', now)).toEqual([])
    expect(await e.listUser('bob', now)).toEqual([
      { payload: '{"bob":1}', expiresAt: later, version: 3, userId: 'bob', handle: sessionHandle(key) },
    ])
    expect(await e.destroyUser('ada')).toBe(0)
    await e.update(key, record('{"anon":2}', later, 4))
    expect(await e.listUser('bob', now)).toEqual([])
    expect(await e.read(key, now)).toEqual(record('{"anon":2}', later, 4))
    expect((await indexEntries(table, 'ada')) + (await indexEntries(table, 'bob'))).toBe(0)
    await e.update(key, signedIn(key, 'ada', '{"ada":2}', later, 5), 4)
    await expectSessionError(e.update(key, signedIn(key, 'bob', '{}', later, 9), 1), 'VERSION_CONFLICT')
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(key)])
    expect(await e.listUser('bob', now)).toEqual([])
  })

  it('a cycled key stays indexed under the new handle; the old one is gone', async () => {
    const { e } = fresh('user_cycle')
    const old = newKey()
    await e.create(old, signedIn(old, 'ada'))
    const cycled = newKey()
    await e.create(cycled, signedIn(cycled, 'ada', '{}', later, 2))
    await e.destroy(old)
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(cycled)])
  })

  it('expired sessions are never listed; destroyUser may count them; purge leaves no index entry', async () => {
    const { e, table } = fresh('user_expiry')
    const live = await sessionsOf(e, 'ada', 2, muchLater)
    await sessionsOf(e, 'ada', 3, later)
    expect(handles(await e.listUser('ada', later))).toEqual(handlesOf(live))
    expect(await e.listUser('ada', muchLater)).toEqual([])
    expect(await e.purgeExpired(later)).toBe(3)
    expect(await indexEntries(table, 'ada')).toBe(2)
    expect(await e.destroyUser('ada')).toBe(2)
    expect(await indexEntries(table, 'ada')).toBe(0)
  })

  it('bounded growth: after 150 create/cycle/update/destroy/expire+purge cycles the index holds nothing for the user', async () => {
    const { e, table } = fresh('user_growth')
    for (let i = 0; i < 150; i++) {
      const key = newKey()
      await e.create(key, signedIn(key, 'ada', `{"i":${i}}`, later))
      const cycled = newKey()
      await e.create(cycled, signedIn(cycled, 'ada', `{"i":${i}}`, later, 2))
      await e.destroy(key)
      await e.update(cycled, signedIn(cycled, 'ada', `{"i":${i},"saved":1}`, later, 3), 2)
      if (i % 3 === 0) await e.destroy(cycled)
      else if (i % 3 === 1) expect(await e.destroyUser('ada', { handle: sessionHandle(cycled) })).toBe(1)
      else expect(await e.purgeExpired(later)).toBe(1)
    }
    expect(await indexEntries(table, 'ada')).toBe(0)
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`)
    expect(rows[0].n).toBe(0)
    expect(await e.listUser('ada', now)).toEqual([])
  })

  it('the shared churn (every way a record leaves a listing, 100 rounds) leaves the index where it started', async () => {
    const { e, table } = fresh('user_churn')
    const key = newKey()
    await e.create(key, signedIn(key, 'bystander'))
    const { created, userIds } = await churnUserIndex(e, { cycles: 100, now })
    expect(created).toBe(700)
    expect(await indexEntries(table, 'bystander')).toBe(1)
    for (const userId of userIds.slice(0, 30)) expect(await indexEntries(table, userId)).toBe(0)
    const { rows } = await pool.query(`SELECT count(*)::int AS rows, count(user_id)::int AS signed_in FROM ${table}`)
    expect(rows[0]).toEqual({ rows: 1, signed_in: 1 })
  })

  it('user ids are bound as values: quotes, SQL and LIKE patterns in them are plain text', async () => {
    const { e } = fresh('user_odd')
    const odd = ["o'brien", 'a"b', 'x; DROP TABLE sess_sessions; --', 'Zoë 🐍', '%', '_', '\\']
    for (const userId of odd) await sessionsOf(e, userId, 1)
    for (const userId of odd) expect((await e.listUser(userId, now)).map((r) => r.userId)).toEqual([userId])
    expect(await e.destroyUser('%')).toBe(1)
    expect(await e.destroyUser('x; DROP TABLE sess_sessions; --')).toBe(1)
    for (const userId of odd.filter((u) => u !== '%' && !u.startsWith('x;'))) expect(await e.listUser(userId, now)).toHaveLength(1)
  })

  it('another app process (its own pool) sees a destroyUser at once, and the other way round', async () => {
    const { e, table } = fresh('user_two')
    const other = postgresEngine({ connectionString: DATABASE_URL, table })
    try {
      const ada = await sessionsOf(e, 'ada', 3)
      for (const key of ada) expect(await other.read(key, now)).not.toBeNull()
      expect(await e.destroyUser('ada', { exceptHandle: sessionHandle(ada[0]!) })).toBe(2)
      expect(await other.read(ada[0]!, now)).not.toBeNull()
      for (const key of ada.slice(1)) expect(await other.read(key, now)).toBeNull()
      expect(await other.destroyUser('ada')).toBe(1)
      expect(await e.read(ada[0]!, now)).toBeNull()
      await expectSessionError(e.update(ada[0]!, signedIn(ada[0]!, 'ada', '{}', later, 2), 1), 'NOT_FOUND')
    } finally {
      await other.dispose()
    }
  })

  it('listUser, destroyUser and stats of a disposed engine reject with ENGINE', async () => {
    const e = postgresEngine({ connectionString: DATABASE_URL, table: freshTable('user_disposed') })
    await e.dispose()
    for (const op of [e.listUser('ada', now), e.destroyUser('ada'), e.stats(now)]) await expectSessionError(op, 'ENGINE')
  })
})

describe('postgres: stats', () => {
  it('counts the live sessions, the signed-in ones, their expiry range and the bytes their rows take', async () => {
    const { e } = fresh('stats')
    const empty = await e.stats(now)
    expect(empty).toEqual({ sessions: 0, earliestExpiry: null, latestExpiry: null, signedIn: 0, bytes: 0 })
    const soon = new Date(Date.UTC(2030, 0, 1, 12))
    await sessionsOf(e, 'ada', 2, later)
    await sessionsOf(e, 'bob', 1, muchLater)
    await e.create(newKey(), record('{}', soon))
    await e.create(newKey(), record('{}', now)) // expired at `now`
    const before = await e.stats(now)
    expect(before).toMatchObject({ sessions: 4, earliestExpiry: soon, latestExpiry: muchLater, signedIn: 3 })
    // Random text, so TOAST cannot compress it away.
    await e.create(newKey(), record(JSON.stringify({ d: { blob: randomBytes(150_000).toString('base64') }, c: 1 }), later))
    const after = await e.stats(now)
    expect(after.sessions).toBe(5)
    expect(after.bytes! - before.bytes!).toBeGreaterThan(190_000)
    expect(await e.stats(muchLater)).toEqual({ sessions: 0, earliestExpiry: null, latestExpiry: null, signedIn: 0, bytes: 0 })
    // A compressible payload counts as stored (TOAST compresses it), not as sent.
    await e.create(newKey(), record(JSON.stringify({ d: { blob: 'x'.repeat(100_000) }, c: 1 }), later))
    const compressed = (await e.stats(now)).bytes! - after.bytes!
    expect(compressed).toBeGreaterThan(0)
    expect(compressed).toBeLessThan(10_000)
  })

  it("leaves 'infinity' expiries (corrupt rows) out of the counts", async () => {
    const { e, table } = fresh('stats_corrupt')
    await sessionsOf(e, 'ada', 1)
    await pool.query(`INSERT INTO ${table} (key_hash, payload, version, expires_at) VALUES ('x', '{}', 1, 'infinity')`)
    expect(await e.stats(now)).toMatchObject({ sessions: 1, earliestExpiry: later, latestExpiry: later, signedIn: 1 })
  })
})
