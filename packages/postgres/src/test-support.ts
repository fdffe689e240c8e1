import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll } from 'vitest'

/** The PostgreSQL database of this machine's tests. */
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** A pool for the file's tests; ended (after dropping every {@link freshTable}) when they finish. */
export function testPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 })
  pool.on('error', () => undefined)
  afterAll(async () => {
    for (const table of tables) await pool.query(`DROP TABLE IF EXISTS ${table}`)
    tables.length = 0
    await pool.end()
  })
  return pool
}

const tables: string[] = []

/** A table name no other test run uses; dropped after the file's tests. */
export function freshTable(label: string): string {
  const name = `sess_test_${label}_${process.pid}_${randomBytes(3).toString('hex')}`
  tables.push(name)
  return name
}
