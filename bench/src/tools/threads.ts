/**
 * Where a server case's CPU goes, per thread: starts the case's server (loading @sess from bench/.build), sends
 * wrk load on `path` for `seconds` (SHARED=1: one session's cookie on every connection), and prints each
 * thread's user and system CPU per request from /proc (Linux only), so that the main thread can be told apart
 * from V8's GC helper threads, libuv's pool and the kernel. `FLAGS="--trace-gc"` passes Node flags to the server. With `STRACE=1`, `strace -c -f` is attached during the
 * measured load and the system calls per request are printed (strace slows the server: read the counts, not the times).
 *
 *   npx tsx src/tools/threads.ts <case> [/hit] [seconds=5]
 */
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { runLoad } from '../loadgen/index.js'
import { toolCookies } from './cookies.js'
import { flagsFromEnv, startToolServer } from './tool-server.js'

const [id = '', path = '/hit', secs = '5'] = process.argv.slice(2)
const { child, port } = await startToolServer(id, 'sess-threads-', flagsFromEnv)
const pid = child.pid!
/** utime and stime (clock ticks) and name of every thread of the server. */
function threads(): Map<string, { name: string; user: number; sys: number }> {
  const out = new Map<string, { name: string; user: number; sys: number }>()
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(tid, { name, user: Number(f[11]), sys: Number(f[12]) })
    } catch {}
  }
  return out
}
const cookies = await toolCookies(port)
const url = `http://127.0.0.1:${port}${path}`
await runLoad('wrk', { url, cookies, connections: 10, durationS: 1 })
const tracer =
  process.env.STRACE === '1' ? spawn('strace', ['-c', '-f', '-p', String(child.pid)], { stdio: ['ignore', 'ignore', 'pipe'] }) : null
let traced = ''
tracer?.stderr?.on('data', (d: Buffer) => {
  traced += d.toString()
})
if (tracer !== null) await new Promise((r) => setTimeout(r, 500))
const faults = (): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[7])
const faultsBefore = faults()
const before = threads()
const load = await runLoad('wrk', { url, cookies, connections: 10, durationS: Number(secs) })
const after = threads()
const faultsAfter = faults()
if (tracer !== null) {
  const exited = new Promise((r) => tracer.once('exit', r))
  tracer.kill('SIGINT')
  await exited
}
child.send({ type: 'exit' })
const requests = load.rps * Number(secs)
const tick = 1e6 / 100 // µs per clock tick (USER_HZ = 100)
const byName = new Map<string, { user: number; sys: number }>()
for (const [tid, a] of after) {
  const b = before.get(tid) ?? { user: 0, sys: 0 }
  const key = tid === String(pid) ? 'main' : a.name.replace(/\d+$/, '#')
  const t = byName.get(key) ?? { user: 0, sys: 0 }
  t.user += a.user - b.user
  t.sys += a.sys - b.sys
  byName.set(key, t)
}
console.log(
  `${id} ${path}: ${load.rps.toFixed(0)} req/s, p99 ${load.p99Ms.toFixed(1)} ms, ${((faultsAfter - faultsBefore) / requests).toFixed(3)} minor page faults per request`,
)
let user = 0
let sys = 0
for (const [name, t] of [...byName].sort((a, b) => b[1].user + b[1].sys - a[1].user - a[1].sys)) {
  user += t.user
  sys += t.sys
  if (t.user + t.sys > 0)
    console.log(
      `  ${name.padEnd(20)} user ${((t.user * tick) / requests).toFixed(1).padStart(6)} µs  sys ${((t.sys * tick) / requests).toFixed(1).padStart(6)} µs`,
    )
}
console.log(
  `  ${'all'.padEnd(20)} user ${((user * tick) / requests).toFixed(1).padStart(6)} µs  sys ${((sys * tick) / requests).toFixed(1).padStart(6)} µs`,
)
if (tracer !== null) {
  console.log('  system calls per request (strace -c -f):')
  for (const line of traced.split('\n')) {
    const f = line.trim().split(/\s+/)
    // % time, seconds, usecs/call, calls, [errors], syscall
    if (f.length >= 5 && /^\d+\.\d+$/.test(f[0]!) && /^\d+$/.test(f[3]!)) {
      const calls = Number(f[3])
      if (calls / requests >= 0.01) console.log(`    ${f.at(-1)!.padEnd(16)} ${(calls / requests).toFixed(2)}`)
    }
  }
}
