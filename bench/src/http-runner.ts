import { fork, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { childExecArgv } from './build.js'
import { isShared, scenarioPath, type Options, type Scenario } from './cli.js'
import type { CaseEnv, ServerCase } from './cases/types.js'
import { runLoad, type LoadResult } from './loadgen/index.js'
import type { BenchRedis } from './services.js'
import { childrenTicks, hostCpuTimes, hostUsage } from './system.js'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const serverScript = fileURLToPath(new URL('./server.ts', import.meta.url))

/** One measured run of one scenario on one server process. */
export interface HttpRun {
  round: number
  group: string
  caseId: string
  /** Position in the round's bare/case/bare/… sequence. */
  slot: number
  scenario: Scenario
  load: LoadResult
  /** Requests the server counted during the measured window. */
  serverRequests: number
  /** Server CPU (user + system) µs per request. */
  cpuUsPerReq: number
  /** The machine during the run: % of all CPUs busy, stolen, and used by neither the server nor the load generator. */
  host?: { busyPct: number; stealPct: number; otherPct?: number }
  /** Redis commands per request (server-side INFO commandstats, script-internal calls included). */
  redisPerReq?: Record<string, number>
  /** The case's own counters per request (e.g. client round trips). */
  countersPerReq?: Record<string, number>
  heapMb: number
  rssMb: number
}

type Msg = { type: string; [k: string]: unknown }

/** A server child: the case's app on 127.0.0.1:port. */
class ServerProcess {
  private waiters: Array<{ type: string; resolve: (m: Msg) => void }> = []
  private dead: Error | null = null
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: Msg) => {
      const i = this.waiters.findIndex((w) => w.type === m.type || m.type === 'error' || m.type === 'skip')
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m)
    })
    child.on('exit', (code, signal) => {
      this.dead = new Error(`server exited (${code ?? signal})`)
      for (const w of this.waiters.splice(0)) w.resolve({ type: 'error', message: this.dead.message })
    })
  }
  wait(type: string, timeoutMs = 60_000): Promise<Msg> {
    if (this.dead) return Promise.resolve({ type: 'error', message: this.dead.message })
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ type: 'error', message: `no ${type} from server in ${timeoutMs} ms` }), timeoutMs)
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer)
          resolve(m)
        },
      })
    })
  }
  async ask(type: string, reply: string): Promise<Msg> {
    const p = this.wait(reply)
    this.child.send({ type })
    return p
  }
  async stop(): Promise<void> {
    if (this.dead) return
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.send({ type: 'exit' })
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
}

/** Starts a case in its own process. Resolves with the server, or with a skip/error reason. */
async function startServer(
  c: ServerCase,
  env: CaseEnv,
  opts: Options,
): Promise<{ server: ServerProcess; port: number } | { skip: string } | { error: string }> {
  const execArgv = childExecArgv(opts.from)
  const child = fork(serverScript, [c.id, JSON.stringify(env)], { cwd: benchDir, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const server = new ServerProcess(child)
  const m = await server.wait('ready')
  if (m.type === 'ready') return { server, port: m.port as number }
  await server.stop().catch(() => {})
  child.kill('SIGKILL')
  return m.type === 'skip' ? { skip: String(m.reason) } : { error: String(m.message) }
}

/** One session per connection: a GET /hit without cookie each, keeping every Set-Cookie as `name=value`. */
async function primeCookies(base: string, n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${base}/hit`)
    await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET /hit answered ${res.status} while making sessions`)
    const pairs = res.headers.getSetCookie().map((c) => c.split(';', 1)[0]!.trim())
    if (pairs.length === 0) throw new Error('GET /hit set no cookie')
    out.push(pairs.join('; '))
  }
  return out
}

/** A cookie header of the same shape for the bare frameworks (parsed by nobody, but the bytes are the same). */
function dummyCookies(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `sessionid=${String(i).padStart(32, 'x')}`)
}

function perReq(delta: Record<string, number>, requests: number): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(delta)) if (v !== 0) out[k] = Math.round((v / requests) * 1000) / 1000
  return out
}

function diff(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(b)) out[k] = v - (a[k] ?? 0)
  return out
}

export interface RoundContext {
  opts: Options
  tool: 'wrk' | 'autocannon'
  redis: BenchRedis | null
  pgUrl: string
  secret: string
  dataRoot: string
  /** Cases found not runnable (reason), so later rounds do not try them again. */
  skipped: Map<string, string>
  log: (line: string) => void
}

/** Runs every scenario of one case in one fresh server process. */
async function measureCase(c: ServerCase, slot: number, round: number, ctx: RoundContext): Promise<HttpRun[]> {
  const dataDir = mkdtempSync(join(ctx.dataRoot, `${c.id}-`))
  const env: CaseEnv = { dataDir, redisUrl: ctx.redis?.url ?? ctx.opts.redisUrl, pgUrl: ctx.pgUrl, secret: ctx.secret }
  const started = await startServer(c, env, ctx.opts)
  if ('skip' in started || 'error' in started) {
    const reason = 'skip' in started ? started.skip : `failed to start: ${started.error.split('\n').slice(0, 3).join(' | ')}`
    ctx.skipped.set(c.id, reason)
    ctx.log(`  skip ${c.id}: ${reason}`)
    rmSync(dataDir, { recursive: true, force: true })
    return []
  }
  const { server, port } = started
  const base = `http://127.0.0.1:${port}`
  const runs: HttpRun[] = []
  try {
    for (const scenario of ctx.opts.scenarios) {
      const path = scenarioPath(scenario)
      const sessions = isShared(scenario) ? 1 : ctx.opts.connections
      const made = scenario === 'new' ? [] : c.kind === 'bare' ? dummyCookies(sessions) : await primeCookies(base, sessions)
      // Shared: the one session's cookie on every connection.
      const cookies = made.length === 0 ? [] : Array.from({ length: ctx.opts.connections }, (_, i) => made[i % made.length]!)
      const spec = { url: `${base}${path}`, cookies, connections: ctx.opts.connections }
      await runLoad(ctx.tool, { ...spec, durationS: ctx.opts.warmupS })
      const redis0 = c.needs?.includes('redis') && ctx.redis ? await ctx.redis.commandStats() : null
      const s = await server.ask('start', 'started')
      const host0 = hostCpuTimes()
      const kids0 = childrenTicks()
      if (s.type !== 'started') throw new Error(String(s.message))
      const load = await runLoad(ctx.tool, { ...spec, durationS: ctx.opts.durationS })
      const host1 = hostCpuTimes()
      const kids1 = childrenTicks()
      const m = await server.ask('stop', 'stopped')
      if (m.type !== 'stopped') throw new Error(String(m.message))
      const host = hostUsage(host0, host1, {
        serverUs: m.cpuUs as number,
        loadgenTicks: kids0 === undefined || kids1 === undefined ? undefined : kids1 - kids0,
      })
      const requests = m.requests as number
      const run: HttpRun = {
        round,
        group: c.group,
        caseId: c.id,
        slot,
        scenario,
        load,
        serverRequests: requests,
        cpuUsPerReq: (m.cpuUs as number) / Math.max(1, requests),
        heapMb: m.heapMb as number,
        rssMb: m.rssMb as number,
        ...(host ? { host } : {}),
      }
      const counters = m.counters as Record<string, number>
      if (Object.keys(counters).length > 0) run.countersPerReq = perReq(counters, requests)
      if (redis0 && ctx.redis) run.redisPerReq = perReq(diff(redis0, await ctx.redis.commandStats()), requests)
      runs.push(run)
      const bad = load.errors + load.non2xx > 0 ? `  !! ${load.errors} errors, ${load.non2xx} non-2xx` : ''
      ctx.log(
        `  ${c.id.padEnd(30)} ${scenario.padEnd(5)} ${load.rps.toFixed(0).padStart(7)} req/s  p99 ${load.p99Ms.toFixed(1).padStart(6)} ms  ${run.cpuUsPerReq.toFixed(0).padStart(5)} µs/req` +
          (host ? `  others ${host.otherPct?.toFixed(0) ?? '?'}%, steal ${host.stealPct.toFixed(1)}%` : '') +
          (run.redisPerReq ? `  redis ${JSON.stringify(run.redisPerReq)}` : '') +
          (run.countersPerReq ? `  ${JSON.stringify(run.countersPerReq)}` : '') +
          bad,
      )
    }
  } catch (error) {
    ctx.log(`  ERROR ${c.id}: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  return runs
}

/** One round of one group: bare, case 1, bare, case 2, …, bare, each in a fresh process. */
export async function runGroupRound(bare: ServerCase, cases: ServerCase[], round: number, ctx: RoundContext): Promise<HttpRun[]> {
  mkdirSync(ctx.dataRoot, { recursive: true })
  const runs: HttpRun[] = []
  let slot = 0
  runs.push(...(await measureCase(bare, slot++, round, ctx)))
  for (const c of cases) {
    if (ctx.skipped.has(c.id)) continue
    const got = await measureCase(c, slot++, round, ctx)
    if (got.length === 0) {
      slot--
      continue
    }
    runs.push(...got)
    runs.push(...(await measureCase(bare, slot++, round, ctx)))
  }
  return runs
}
