import { join } from 'node:path'
import { importExports } from '../sess.js'
import { fill, readOp, readUpdateOp } from './engine-ops.js'
import type { Micro } from './micro.js'
import type { EngineEnv } from './types.js'

/** @sess/cached-db (memory over SQLite) against @sess/memory in the same process, batches interleaved: cache-hit reads should cost within 10 %. */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
  const { sqliteEngine } = await importExports('@sess/sqlite', ['sqliteEngine'])
  const { cachedDbEngine } = await importExports('@sess/cached-db', ['cachedDbEngine'])
  const memory = memoryEngine()
  const memoryKeys = await fill(memory, 1000)
  const cached = cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path: join(env.dataDir, 'cached.sqlite3') }) })
  const ks = await fill(cached, 1000)
  for (const k of ks) await cached.read(k, new Date())
  await m.compare([
    ['@sess/memory read (beside cached-db)', readOp('@sess/memory', memory, memoryKeys)[1]],
    readOp('@sess/cached-db (memory over sqlite)', cached, ks),
  ])
  await m.compare([readUpdateOp('@sess/cached-db (memory over sqlite)', cached, ks)])
  await cached.dispose?.()
}
