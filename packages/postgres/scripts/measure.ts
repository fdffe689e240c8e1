/**
 * Measures @sess/postgres engine operations per second on the local PostgreSQL (database `test`),
 * 50 concurrent callers on a pool of 10, in a throwaway table.
 * Run: npx tsx --conditions @sess/source scripts/measure.ts
 */
import { generateSessionKey } from '@sess/core/engine'
import pg from 'pg'
import { postgresEngine } from '../src/engine.js'

const pool = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 10 })
const table = `sess_measure_${process.pid}`
const engine = postgresEngine({ pool, table })
const later = new Date(Date.now() + 3_600_000)
const keys = Array.from({ length: 1000 }, () => generateSessionKey())
for (const key of keys) await engine.create(key, { payload: '{"d":{"n":1},"c":1}', expiresAt: later, version: 1 })
const versions = new Map(keys.map((k) => [k, 1]))
const ops: Record<string, (i: number) => Promise<unknown>> = {
  read: (i) => engine.read(keys[i % keys.length]!, new Date()),
  update: async (i) => {
    const key = keys[i % keys.length]!
    const v = versions.get(key)!
    versions.set(key, v + 1)
    await engine.update(key, { payload: `{"d":{"n":${i}},"c":1}`, expiresAt: later, version: v + 1 }, v)
  },
  create: (i) => engine.create(generateSessionKey(), { payload: `{"d":{"n":${i}},"c":1}`, expiresAt: later, version: 1 }),
}
for (const [op, fn] of Object.entries(ops)) {
  let count = 0
  const deadline = performance.now() + 2000
  await Promise.all(
    Array.from({ length: 50 }, async (_, w) => {
      while (performance.now() < deadline) await fn(w * 1_000_000 + count++)
    }),
  )
  console.log(`postgres: ${op} ${Math.round(count / 2)} ops/s (50 concurrent, pool of 10)`)
}
const expired = await pool.query(`UPDATE ${table} SET expires_at = now() - interval '1 second'`)
const started = performance.now()
const purged = await engine.purgeExpired!(new Date())
console.log(`postgres: purgeExpired ${purged} rows (of ${expired.rowCount}) in ${Math.round(performance.now() - started)} ms`)
await pool.query(`DROP TABLE ${table}`)
await pool.end()
