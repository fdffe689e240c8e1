/**
 * What outlives the young generation in a server case under load: runs the case's app in this process (loading @sess
 * from bench/.build) on 127.0.0.1, sends wrk load on `path` for `seconds` (SHARED=1: one session's cookie on every
 * connection), and prints the allocation sites of the objects V8's sampling heap profiler still counts at the end —
 * the live ones plus those only a major collection removed (garbage that was promoted, or built straight in the old
 * generation). A site that grows with the load here is paid for in major collections and page faults; the first one
 * it found was the per-key queues' `Map` (see core's `key-table.ts`).
 *
 *   cd bench && npx tsx --import ./src/hooks/register-build.mjs src/tools/promoted.ts <case> [/hit] [seconds=4] [top=20]
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Session as Inspector } from 'node:inspector/promises'
import { findCase } from '../cases/index.js'
import { runLoad } from '../loadgen/index.js'
import { toolCookies } from './cookies.js'

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number }
  selfSize: number
  children: ProfileNode[]
}

const [id = '', path = '/hit', secs = '4', top = '20'] = process.argv.slice(2)
const found = findCase(id)
if (!found) throw new Error(`unknown case ${id}`)
const app = await found.create({ dataDir: '/tmp', secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz' } as never)
const server = createServer(app.listener)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo
const cookies = await toolCookies(port)
const inspector = new Inspector()
inspector.connect()
await inspector.post('HeapProfiler.enable')
await inspector.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true } as never)
const load = await runLoad('wrk', { url: `http://127.0.0.1:${port}${path}`, cookies, connections: 10, durationS: Number(secs) })
const { profile } = (await inspector.post('HeapProfiler.getSamplingProfile')) as unknown as { profile: { head: ProfileNode } }
const bySite = new Map<string, number>()
const where = (f: ProfileNode['callFrame']): string =>
  `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|\.build|packages)\//, '$1/')}:${f.lineNumber + 1}`
const walk = (node: ProfileNode, stack: string[]): void => {
  const frames = [where(node.callFrame), ...stack].slice(0, 3)
  if (node.selfSize > 0) bySite.set(frames.join(' < '), (bySite.get(frames.join(' < ')) ?? 0) + node.selfSize)
  for (const child of node.children) walk(child, frames)
}
walk(profile.head, [])
const total = [...bySite.values()].reduce((a, b) => a + b, 0)
console.log(`${id} ${path}: ${load.rps.toFixed(0)} req/s; ${(total / 2 ** 20).toFixed(1)} MB sampled outlived the young generation`)
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(top)))
  console.log(`${(bytes / 1024).toFixed(0).padStart(7)} KB  ${site}`)
server.closeAllConnections()
server.close()
await app.close?.()
process.exit(0)
