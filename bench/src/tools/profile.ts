/**
 * CPU profile of one server case under load: starts the case's server with `--cpu-prof` (loading @sess from
 * bench/.build, as the runner's default), sends wrk load on `path` (every connection on one session's cookie with
 * SHARED=1, else one session per connection) for `seconds`, stops the server and prints the functions with the most
 * self time, and the share of the garbage collector. The .cpuprofile is kept (open it in Chrome's DevTools).
 *
 *   npx tsx src/tools/profile.ts <case> [/hit] [seconds=5] [top=30]
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runLoad } from '../loadgen/index.js'
import { toolCookies } from './cookies.js'
import { startToolServer } from './tool-server.js'

const [id = '', path = '/hit', secs = '5', top = '30'] = process.argv.slice(2)
const { child, port, dir } = await startToolServer(id, 'sess-profile-', (dir) => ['--cpu-prof', `--cpu-prof-dir=${dir}`])
const cookies = await toolCookies(port)
const load = await runLoad('wrk', { url: `http://127.0.0.1:${port}${path}`, cookies, connections: 10, durationS: Number(secs) })
const exited = new Promise((r) => child.once('exit', r))
child.send({ type: 'exit' })
await exited
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const self = new Map<number, number>()
for (let i = 0; i < profile.samples.length; i++)
  self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0))
const byName = new Map<string, number>()
let total = 0
let idle = 0
for (const n of profile.nodes) {
  const t = self.get(n.id) ?? 0
  total += t
  const f = n.callFrame
  if (f.functionName === '(idle)') idle += t
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules|\.build|packages)\//, '$1/')}:${f.lineNumber + 1}` : ''
  const name = `${f.functionName || '(anonymous)'} ${where}`
  byName.set(name, (byName.get(name) ?? 0) + t)
}
const busy = total - idle
console.log(
  `${id} ${path}: ${load.rps.toFixed(0)} req/s, p99 ${load.p99Ms.toFixed(1)} ms; busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms profiled`,
)
for (const [name, t] of [...byName]
  .filter(([n]) => !n.startsWith('(idle)'))
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(top)))
  console.log(`${((100 * t) / busy).toFixed(1).padStart(5)} %  ${name}`)
console.log(`profile: ${join(dir, file)}`)
