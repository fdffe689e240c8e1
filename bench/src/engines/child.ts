/**
 * One engine micro-benchmark in its own process. Prints one JSON line: { results, skip? }.
 * A missing @sess package ends the bench early with `skip` (results measured before it are kept).
 */
import { Skip } from '../sess.js'
import { Micro } from './micro.js'
import type { EngineEnv } from './types.js'

const [name = '', batchMs = '200', envJson = '{}'] = process.argv.slice(2)
const env = JSON.parse(envJson) as EngineEnv
const m = new Micro(name, Number(batchMs))
let skip: string | undefined
try {
  const mod = (await import(`./${name}.ts`)) as { run: (m: Micro, env: EngineEnv) => Promise<void> }
  await mod.run(m, env)
} catch (error) {
  if (error instanceof Skip) skip = error.message
  else skip = `failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
}
process.stdout.write(`${JSON.stringify({ results: m.results, ...(skip ? { skip } : {}) })}\n`)
process.exit(0)
