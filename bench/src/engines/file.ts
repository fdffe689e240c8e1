import { join } from 'node:path'
import { importExports } from '../sess.js'
import { engineOps, fill } from './engine-ops.js'
import type { Micro } from './micro.js'
import type { EngineEnv } from './types.js'

/** @sess/file: a read is a file read; read+update writes a temp file, fsyncs and renames. */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const { fileEngine } = await importExports('@sess/file', ['fileEngine'])
  const engine = fileEngine({ dir: join(env.dataDir, 'files') })
  await engineOps(m, '@sess/file', engine, await fill(engine, 1000))
  await engine.dispose?.()
}
