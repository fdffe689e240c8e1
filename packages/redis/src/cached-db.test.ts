import { randomBytes } from 'node:crypto'
import { cachedDbEngine } from '@sess/cached-db'
import type { SessionEngine } from '@sess/core/engine'
import { CookieJar, createHarness, describeEngine, describeStore, type Harness, newKey, record, referenceEngine } from '@sess/engine-tests'
import { postgresEngine } from '@sess/postgres'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { redisEngine } from './redis-engine.js'
import { DATABASE_URL } from './test-cached-db.js'
import { ioRedis, nodeRedis, uniquePrefix } from './test-support.js'

const node = await nodeRedis()
const io = await ioRedis()
const prefix = uniquePrefix('cached-db')
const table = `sess_test_cached_${process.pid}_${randomBytes(3).toString('hex')}`
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 })
pool.on('error', () => undefined)
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
})

const engine = (client: typeof node | typeof io = node) =>
  cachedDbEngine({ cache: redisEngine({ client, prefix }), db: postgresEngine({ pool, table }) })

describeEngine('cached-db (redis over postgres)', { create: () => engine(), reopen: () => engine(io) })
describeStore('cached-db (redis over postgres)', { create: () => engine() })

describe('cached-db over redis + postgres', () => {
  it('purgeExpired removes expired rows from PostgreSQL and keeps live ones; reads at or after expiry miss', async () => {
    const e = engine()
    const t = new Date(Date.UTC(2030, 0, 1, 6))
    const expired = [newKey(), newKey(), newKey()]
    const live = [newKey(), newKey()]
    for (const key of expired) await e.create(key, record('{}', t))
    for (const key of live) await e.create(key, record('{}', new Date(t.getTime() + 1)))
    expect(await e.purgeExpired!(t)).toBeGreaterThanOrEqual(3)
    const db = postgresEngine({ pool, table })
    for (const key of expired) expect(await db.read(key, new Date(t.getTime() - 1000))).toBeNull()
    for (const key of expired) expect(await e.read(key, t)).toBeNull()
    for (const key of live) expect(await e.read(key, t)).not.toBeNull()
    expect(await e.purgeExpired!(t)).toBe(0)
  })

  it('a durable second instance (another Redis client, another engine) sees the data', async () => {
    const key = newKey()
    await engine(node).create(key, record('{"durable":true}', later))
    expect((await engine(io).read(key, now))?.payload).toBe('{"durable":true}')
  })

  const now = new Date(Date.UTC(2030, 0, 1))
  const later = new Date(Date.UTC(2030, 0, 2))

  it('writes through to both: the record is in PostgreSQL and in Redis', async () => {
    const e = engine()
    const key = newKey()
    await e.create(key, record('{"both":true}', later))
    expect((await postgresEngine({ pool, table }).read(key, now))?.payload).toBe('{"both":true}')
    expect((await redisEngine({ client: io, prefix }).read(key, now))?.payload).toBe('{"both":true}')
  })

  it('a session survives a flushed cache: PostgreSQL is the record, Redis is refilled', async () => {
    const e = engine()
    const key = newKey()
    await e.create(key, record('{"v":1}', later, 1))
    await redisEngine({ client: node, prefix }).destroy(key) // as if Redis restarted empty
    expect(await e.read(key, now)).toEqual({ payload: '{"v":1}', expiresAt: later, version: 1 })
    expect((await redisEngine({ client: io, prefix }).read(key, now))?.version).toBe(1)
    await e.update(key, record('{"v":2}', later, 2), 1)
    expect((await postgresEngine({ pool, table }).read(key, now))?.payload).toBe('{"v":2}')
  })
})

describe('cached-db with a Redis cache: the user index', () => {
  const own = uniquePrefix('cached-db-users')
  /** An app process: cached-db over the shared Redis cache and the shared db (a reference engine stands in for it). */
  const app = (db: SessionEngine, client: typeof node | typeof io) =>
    createHarness(cachedDbEngine({ cache: redisEngine({ client, prefix: own }), db }))
  const signIn = async (harness: Harness, user: string, device: string) => {
    const jar = new CookieJar()
    await harness.request(jar, async (s) => {
      await s.setUser(user, { device })
      await s.set('device', device)
    })
    return jar
  }
  const entries = async (harness: Harness, jar: CookieJar) => Object.fromEntries((await harness.request(jar, (s) => s.entries())).result)
  const cookie = (jar: CookieJar) => {
    const copy = new CookieJar()
    copy.apply([`sessionid=${jar.cookies.get('sessionid')!.value}`])
    return copy
  }

  it('after destroyAllFor in one process, the cookies read as empty at once in both: the shared cache dropped them', async () => {
    const db = referenceEngine()
    const [a, b] = [app(db, node), app(db, io)]
    const user = `ada-${newKey().slice(0, 8)}`
    const [laptop, phone] = [await signIn(a, user, 'laptop'), await signIn(a, user, 'phone')]
    const [laptopOnB, phoneOnB] = [cookie(laptop), cookie(phone)]
    expect(await entries(b, laptopOnB)).toEqual({ device: 'laptop' })
    expect((await redisEngine({ client: io, prefix: own }).listUser!(user, new Date(Date.UTC(2030, 0, 1)))).length).toBe(2)
    expect(await a.sessions.destroyAllFor(user)).toBe(2)
    expect(await redisEngine({ client: io, prefix: own }).listUser!(user, new Date(Date.UTC(2030, 0, 1)))).toEqual([])
    expect(await entries(b, laptopOnB)).toEqual({})
    expect(await entries(b, phoneOnB)).toEqual({})
    expect(await entries(a, laptop)).toEqual({})
  })
})
