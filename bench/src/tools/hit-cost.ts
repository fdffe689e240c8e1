/**
 * The in-process cost of one `/hit` of the session layer alone (@sess/core + @sess/memory, no HTTP): the median and
 * minimum µs per request over 15 runs of 20 000 requests (batches of ten parallel ones, all on one session's cookie
 * with `shared`, the default, or one session each with `distinct`), and the promises created per request (counted
 * with an async hook; the harness's own three included). Loads @sess from bench/.build (`src/tools/build.ts`).
 *
 *   cd bench && npx tsx --import ./src/hooks/register-build.mjs src/tools/hit-cost.ts [shared|distinct]
 */
import { createHook } from 'node:async_hooks'
import { type HitMode, hitHarness } from './hit-harness.js'
const mode = (process.argv[2] ?? 'shared') as HitMode
if (mode !== 'shared' && mode !== 'distinct') throw new Error(`unknown mode ${mode}: shared or distinct`)
const batches = await hitHarness(mode)
await batches(3000)
const times: number[] = []
for (let r = 0; r < 15; r++) {
  const t = performance.now()
  await batches(2000)
  times.push(((performance.now() - t) * 1000) / 20000)
}
times.sort((a, b) => a - b)
let promises = 0
const hook = createHook({
  init(_id, type) {
    if (type === 'PROMISE') promises++
  },
}).enable()
await batches(100)
hook.disable()
console.log(
  `${mode}: ${times[7]!.toFixed(2)} µs/hit (min ${times[0]!.toFixed(2)}), ${(promises / 1000).toFixed(1)} promises/hit (incl. the harness's 3)`,
)
