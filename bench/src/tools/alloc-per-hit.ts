/**
 * Bytes allocated per request by the session layer alone (@sess/core + @sess/memory, no HTTP), by function: V8's
 * sampling heap profiler with the objects young and full GCs collected kept in the count, over batches of ten
 * parallel requests — all on one session's cookie (`shared`, the default), one session each (`distinct`), or ten
 * untouched sessions (`noop`). Unlike req/s this does not depend on the machine's load: a change to the hot path
 * shows here as a number that repeats to within a few bytes. Loads @sess from bench/.build (`src/tools/build.ts`).
 *
 *   cd bench && npx tsx --import ./src/hooks/register-build.mjs src/tools/alloc-per-hit.ts [shared|distinct|noop] [top=20]
 */
import { Session as Inspector } from 'node:inspector/promises'
import { type HitMode, hitHarness } from './hit-harness.js'

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: ProfileNode[]
}

const mode = (process.argv[2] ?? 'shared') as HitMode
const top = Number(process.argv[3] ?? 20)
if (!['shared', 'distinct', 'noop'].includes(mode)) throw new Error(`unknown mode ${mode}: shared, distinct or noop`)

const batches = await hitHarness(mode)

await batches(2_000) // warm: the code optimised, the engine's tables sized
const inspector = new Inspector()
inspector.connect()
await inspector.post('HeapProfiler.startSampling', {
  samplingInterval: 256,
  includeObjectsCollectedByMinorGC: true,
  includeObjectsCollectedByMajorGC: true,
})
const BATCHES = 5_000
await batches(BATCHES)
const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } }
inspector.disconnect()

const requests = BATCHES * 10
const byFunction = new Map<string, number>()
let total = 0
const walk = (node: ProfileNode): void => {
  const f = node.callFrame
  const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(\.build|node_modules)\//, '$1/')}${f.url ? `:${f.lineNumber + 1}` : ''}`
  total += node.selfSize
  byFunction.set(name, (byFunction.get(name) ?? 0) + node.selfSize)
  for (const child of node.children) walk(child)
}
walk(profile.head)
console.log(`${mode}: ${(total / requests).toFixed(0)} bytes allocated per request (${requests} requests, sampled every 256 bytes)`)
for (const [name, bytes] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${(bytes / requests).toFixed(0).padStart(7)}  ${name}`)
