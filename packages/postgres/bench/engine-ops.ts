/**
 * Micro-benchmark: @sess/postgres engine operations per second on the local PostgreSQL (database `test`),
 * 50 concurrent callers on a pool of 10 (@sess/engine-tests/bench), then one `purgeExpired` of every row,
 * in a throwaway table. Prints; asserts nothing.
 *
 *   cd packages/postgres && npx tsx --conditions=@sess/source bench/engine-ops.ts
 */
import { measureEngineOps } from '@sess/engine-tests/bench'
import pg from 'pg'
import { postgresEngine } from '../src/index.js'

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 10 })
const table = `sess_bench_${process.pid}`
const engine = postgresEngine({ pool, table })
try {
  await measureEngineOps(engine, { label: 'postgres', note: 'pool of 10' })
  const expired = await pool.query(`UPDATE ${table} SET expires_at = now() - interval '1 second'`)
  const started = performance.now()
  const purged = await engine.purgeExpired!(new Date())
  console.log(`postgres: purgeExpired ${purged} rows (of ${expired.rowCount}) in ${Math.round(performance.now() - started)} ms`)
} finally {
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
}
