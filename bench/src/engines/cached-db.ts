import { join } from 'node:path'
import { importExports } from '../sess.js'
import { engineOps, fill } from './engine-ops.js'
import type { Micro } from './micro.js'
import type { EngineEnv } from './types.js'

/** @sess/cached-db (memory over SQLite) next to @sess/memory in the same process: cache-hit reads should cost within 10 %. */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
  const memory = memoryEngine()
  await engineOps(m, '@sess/memory', memory, await fill(memory, 1000), 'read')
  const { sqliteEngine } = await importExports('@sess/sqlite', ['sqliteEngine'])
  const { cachedDbEngine } = await importExports('@sess/cached-db', ['cachedDbEngine'])
  const cached = cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path: join(env.dataDir, 'cached.sqlite3') }) })
  const ks = await fill(cached, 1000)
  // Every key is in the cache after its create (write-through); read them once more to be sure.
  for (const k of ks) await cached.read(k, new Date())
  await engineOps(m, '@sess/cached-db (memory over sqlite)', cached, ks)
  await cached.dispose?.()
}
