import { importExports } from '../sess.js'
import { engineOps, fill } from './engine-ops.js'
import type { Micro } from './micro.js'

/** @sess/memory: a read (hit) and a read + versioned update. */
export async function run(m: Micro): Promise<void> {
  const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
  const engine = memoryEngine()
  await engineOps(m, '@sess/memory', engine, await fill(engine, 1000))
}
