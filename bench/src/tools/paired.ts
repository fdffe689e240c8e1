/**
 * Paired A/B of two server cases, for when the machine is too noisy for the runner's sequential runs: both
 * servers stay up and wrk bursts alternate between them (A B, B A, …); each burst's server CPU µs/request
 * comes from the server itself. Prints the medians and the median of the pairs' differences.
 * Loads @sess from bench/.build (run `pnpm bench -- --group koa --rounds 1 --duration 1` once to build it).
 * `FLAGS="--single-threaded-gc"` passes Node flags to both servers; `SHARED=1` sends one session's cookie on every
 * connection. A case written `<case>@<dir>` loads @sess from `<dir>` (a copy of bench/.build) instead: the same case
 * against two builds is the A/B of a code change (`cp -r .build /tmp/before`, change, rebuild, then
 * `paired.ts sess-koa-memory@/tmp/before sess-koa-memory`).
 *
 *   npx tsx src/tools/paired.ts <case A>[@dir] <case B>[@dir] [/hit] [pairs=10] [seconds per burst=1]
 */
import { fork, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad } from '../loadgen/index.js'
import { toolCookies } from './cookies.js'
import { flagsFromEnv, toolEnv } from './tool-server.js'
const [a = '', b = '', path = '/hit', n = '10', secs = '1'] = process.argv.slice(2)
const env = JSON.stringify(toolEnv(mkdtempSync(join(tmpdir(), 'sess-paired-'))))
type S = { child: ChildProcess; port: number; cookies: string[] }
const wait = (c: ChildProcess, type: string) =>
  new Promise<any>((r) => {
    const f = (m: any) => {
      if (m.type === type) {
        c.off('message', f)
        r(m)
      }
    }
    c.on('message', f)
  })
async function start(spec: string): Promise<S> {
  const [id = '', build] = spec.split('@')
  const child = fork(new URL('../server.ts', import.meta.url).pathname, [id, env], {
    env: build === undefined ? process.env : { ...process.env, SESS_BENCH_BUILD: build },
    execArgv: [...flagsFromEnv(), '--import', 'tsx', '--import', new URL('../hooks/register-build.mjs', import.meta.url).pathname],
  })
  const { port } = await wait(child, 'ready')
  const cookies = await toolCookies(port)
  return { child, port, cookies }
}
async function burst(s: S) {
  const p = wait(s.child, 'started')
  s.child.send({ type: 'start' })
  await p
  const l = await runLoad('wrk', { url: `http://127.0.0.1:${s.port}${path}`, cookies: s.cookies, connections: 10, durationS: Number(secs) })
  const q = wait(s.child, 'stopped')
  s.child.send({ type: 'stop' })
  const m = await q
  return { us: m.cpuUs / m.requests, rps: l.rps }
}
const A = await start(a),
  B = await start(b)
await burst(A)
await burst(B)
const diffs: number[] = [],
  ra: number[] = [],
  rb: number[] = []
for (let i = 0; i < Number(n); i++) {
  const x = i % 2 ? await burst(B) : await burst(A)
  const y = i % 2 ? await burst(A) : await burst(B)
  const [pa, pb] = i % 2 ? [y, x] : [x, y]
  diffs.push(pb.us - pa.us)
  ra.push(pa.us)
  rb.push(pb.us)
}
const med = (xs: number[]) => [...xs].sort((p, q) => p - q)[xs.length >> 1]!
console.log(
  `${path}: ${a} ${med(ra).toFixed(1)} µs/req, ${b} ${med(rb).toFixed(1)} µs/req, paired difference median ${med(diffs).toFixed(1)} µs (${diffs.map((d) => d.toFixed(1)).join(' ')})`,
)
A.child.kill()
B.child.kill()
