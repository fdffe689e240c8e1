import { randomBytes } from 'node:crypto'
import PgStore from 'connect-pg-simple'
import { RedisStore } from 'connect-redis'
import expressSession from 'express-session'
import pg from 'pg'
import { createClient } from 'redis'
import { afterAll } from 'vitest'
import type { ConnectStoreLike } from './connect-types.js'

/** The servers of this machine's tests. */
export const REDIS_URL = 'redis://127.0.0.1:6379'
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** express-session's own MemoryStore (one per call: a fresh, empty store). */
export function memoryStore(): ConnectStoreLike {
  return new expressSession.MemoryStore() as unknown as ConnectStoreLike
}

/**
 * connect-redis 9 over one node-redis client for the file, under a prefix no other run uses; the keys are
 * deleted and the client closed after the file's tests. `store()` makes a new RedisStore over the same data.
 */
export async function redisStores(): Promise<{ store: () => ConnectStoreLike; client: ReturnType<typeof createClient>; prefix: string }> {
  const client = createClient({ url: REDIS_URL })
  client.on('error', () => undefined)
  await client.connect()
  const prefix = `sess-test:connect:${process.pid}-${randomBytes(4).toString('hex')}:`
  afterAll(async () => {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await client.del(keys)
    client.destroy()
  })
  return { store: () => new RedisStore({ client, prefix }) as unknown as ConnectStoreLike, client, prefix }
}

/**
 * connect-pg-simple over one pool for the file, in a table of its own (dropped after the file's tests) with
 * connect-pg-simple's schema. `store()` makes a new store over the same table. The table is made here rather
 * than by `createTableIfMissing`, whose constraint name (`session_pkey`) is the same for every table.
 */
export async function pgStores(): Promise<{ store: () => ConnectStoreLike; pool: pg.Pool; table: string }> {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 })
  pool.on('error', () => undefined)
  const table = `sess_test_connect_${process.pid}_${randomBytes(3).toString('hex')}`
  await pool.query(`CREATE TABLE ${table} (sid varchar NOT NULL PRIMARY KEY, sess json NOT NULL, expire timestamp(6) NOT NULL)`)
  const Store = PgStore(expressSession)
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.end()
  })
  return {
    store: () => new Store({ pool, tableName: table, pruneSessionInterval: false }) as unknown as ConnectStoreLike,
    pool,
    table,
  }
}
