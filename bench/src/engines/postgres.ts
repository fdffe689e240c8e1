import { importExports } from '../sess.js'
import { engineOps, fill } from './engine-ops.js'
import type { Micro } from './micro.js'
import type { EngineEnv } from './types.js'

/** @sess/postgres read and read+update, one at a time (latency-bound), next to a raw `SELECT 1`. */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const pg = (await import('pg')).default
  const pool = new pg.Pool({ connectionString: env.pgUrl, max: 4 })
  try {
    await m.measure('raw pg SELECT 1', () => pool.query('SELECT 1'))
    const { postgresEngine } = await importExports('@sess/postgres', ['postgresEngine'])
    const engine = postgresEngine({ pool, table: 'bench_sess_micro' })
    await pool.query('DELETE FROM bench_sess_micro').catch(() => {})
    await engineOps(m, '@sess/postgres', engine, await fill(engine, 1000))
  } finally {
    await pool.end()
  }
}
