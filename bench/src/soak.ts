/**
 * Soak: every engine's Express app at once (one child process each, `soak-app.ts`), mixed traffic to all of them
 * for `--duration` seconds (default 300), then a check that every acknowledged write is still there.
 *
 *   pnpm --filter @sess/bench soak -- --duration 300 [--users 4] [--engines memory,sqlite,…] [--out results/soak.json]
 *
 * Each virtual user is a closed loop with its own cookie jar and a model of what its session must hold:
 * new (a cookie-less visitor), hit (counter; the reply must be the model's count + 1), noop, login (cycleKey),
 * logout (flush), 4 parallel writers on one session (distinct fields; merged except on signed cookies, where each
 * response carries a whole cookie) and a read that compares the session with the model. An error is any non-2xx
 * reply or network failure; a lost write is any acknowledged value missing or different afterwards.
 * RSS, heap and open file descriptors of every child are sampled every 5 s.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ALL = ['memory', 'sqlite', 'file', 'cached-db', 'signed-cookie', 'redis', 'postgres']
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '300' },
    users: { type: 'string', default: '4' },
    engines: { type: 'string', default: ALL.join(',') },
    out: { type: 'string' },
  },
})
const durationMs = Number(args.duration) * 1000
const usersPerEngine = Number(args.users)
const engines = args.engines!.split(',')
const appFile = fileURLToPath(new URL('./soak-app.ts', import.meta.url))
const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))

interface Sample {
  t: number
  rss: number
  heapUsed: number
  fds: number
}
interface EngineRun {
  engine: string
  child: ChildProcess
  url: string
  requests: Record<string, number>
  errors: string[]
  lost: string[]
  samples: Sample[]
}

function start(engine: string): Promise<EngineRun> {
  const child = spawn(tsx, ['--conditions=@sess/source', appFile, engine], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${engine}: the app did not start within 60 s`)), 60_000)
    child.once('exit', (code) => reject(new Error(`${engine}: the app exited with ${code}`)))
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer)
      resolve({ engine, child, url: `http://127.0.0.1:${message.port}`, requests: {}, errors: [], lost: [], samples: [] })
    })
  })
}

/** One visitor: a cookie jar and what its session must contain. */
class User {
  cookies = new Map<string, string>()
  model: Record<string, unknown> = {}
  constructor(
    readonly run: EngineRun,
    readonly id: string,
  ) {}

  header(): string | undefined {
    return this.cookies.size === 0 ? undefined : [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  apply(setCookie: string[]): void {
    for (const line of setCookie) {
      const [pair, ...attrs] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  async request(kind: string, method: string, path: string, jar: User = this): Promise<unknown> {
    const run = this.run
    run.requests[kind] = (run.requests[kind] ?? 0) + 1
    const headers: Record<string, string> = {}
    const cookie = jar.header()
    if (cookie) headers.cookie = cookie
    let response: Response
    try {
      response = await fetch(run.url + path, { method, headers, signal: AbortSignal.timeout(30_000) })
    } catch (error) {
      run.errors.push(`${kind}: ${String(error)}`)
      return undefined
    }
    const body = await response.text()
    if (response.status >= 300) {
      run.errors.push(`${kind}: ${response.status} ${body.slice(0, 200)}`)
      return undefined
    }
    jar.apply(response.headers.getSetCookie())
    return body.startsWith('{') ? JSON.parse(body) : body
  }

  async verify(label: string): Promise<void> {
    const data = (await this.request('verify', 'GET', '/data')) as Record<string, unknown> | undefined
    if (data === undefined) return
    for (const [key, value] of Object.entries(this.model)) {
      if (JSON.stringify(data[key]) !== JSON.stringify(value))
        this.run.lost.push(`${label} ${this.id}: ${key} is ${JSON.stringify(data[key])}, acknowledged ${JSON.stringify(value)}`)
    }
  }

  async step(round: number): Promise<void> {
    const r = Math.random()
    if (r < 0.15) {
      const visitor = new User(this.run, `${this.id}/new`)
      await visitor.request('new', 'GET', '/new')
    } else if (r < 0.45) {
      const reply = (await this.request('hit', 'GET', '/hit')) as { count: number } | undefined
      if (reply === undefined) return
      const expected = ((this.model.count as number | undefined) ?? 0) + 1
      if (reply.count !== expected) this.run.lost.push(`hit ${this.id}: count ${reply.count}, acknowledged ${expected - 1} before`)
      this.model.count = reply.count
    } else if (r < 0.6) {
      await this.request('noop', 'GET', '/noop')
    } else if (r < 0.68) {
      const user = `u${round}`
      if ((await this.request('login', 'POST', `/login?user=${user}`)) !== undefined) this.model.user = user
    } else if (r < 0.73) {
      if ((await this.request('logout', 'POST', '/logout')) !== undefined) this.model = {}
    } else if (r < 0.88) {
      if (this.run.engine === 'signed-cookie') {
        // a cookie store cannot merge parallel responses (each carries a whole cookie): one writer at a time
        if ((await this.request('write', 'POST', `/set/f0?value=${round}`)) !== undefined) this.model.f0 = round
        return
      }
      if (this.header() === undefined) await this.request('hit', 'GET', '/hit').then((reply) => reply && (this.model.count = 1))
      const replies = await Promise.all([0, 1, 2, 3].map((w) => this.request('parallel', 'POST', `/set/f${w}?value=${round}`)))
      replies.forEach((reply, w) => {
        if (reply !== undefined) this.model[`f${w}`] = round
      })
    } else {
      await this.verify('read')
    }
  }
}

async function sample(run: EngineRun, t: number): Promise<void> {
  try {
    const response = await fetch(`${run.url}/stats`, { signal: AbortSignal.timeout(10_000) })
    run.samples.push({ t, ...((await response.json()) as Omit<Sample, 't'>) })
  } catch (error) {
    run.errors.push(`stats: ${String(error)}`)
  }
}

const runs = await Promise.all(engines.map(start))
const began = Date.now()
const deadline = began + durationMs
const samplers = setInterval(() => {
  for (const run of runs) void sample(run, Date.now() - began)
}, 5000)
for (const run of runs) await sample(run, 0)
const users = runs.flatMap((run) => Array.from({ length: usersPerEngine }, (_, i) => new User(run, `${run.engine}#${i}`)))
await Promise.all(
  users.map(async (user) => {
    for (let round = 1; Date.now() < deadline; round++) await user.step(round)
  }),
)
clearInterval(samplers)
for (const user of users) await user.verify('final')
for (const run of runs) await sample(run, Date.now() - began)
for (const run of runs) {
  const exited = new Promise((resolve) => run.child.once('exit', resolve))
  run.child.send('stop')
  const killer = setTimeout(() => run.child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(killer)
}

const mb = (bytes: number) => Math.round(bytes / 1048576)
const summary = runs.map((run) => {
  const warm = run.samples.filter((s) => s.t >= Math.min(30_000, durationMs / 4))
  const rss = warm.map((s) => s.rss)
  const fds = run.samples.map((s) => s.fds)
  const total = Object.values(run.requests).reduce((a, b) => a + b, 0)
  return {
    engine: run.engine,
    requests: total,
    perSecond: Math.round(total / (durationMs / 1000)),
    byKind: run.requests,
    errors: run.errors.length,
    lost: run.lost.length,
    rssMb: { afterWarmup: mb(rss[0] ?? 0), last: mb(rss.at(-1) ?? 0), max: mb(Math.max(...rss)) },
    heapMb: { afterWarmup: mb(warm[0]?.heapUsed ?? 0), last: mb(warm.at(-1)?.heapUsed ?? 0) },
    fds: { first: fds[0], last: fds.at(-1), min: Math.min(...fds), max: Math.max(...fds) },
    firstErrors: run.errors.slice(0, 5),
    firstLost: run.lost.slice(0, 5),
  }
})
console.log(
  `| engine | requests | req/s | errors | lost | RSS MB (after warm-up → end, max) | heap MB (after warm-up → end) | open fds (first → last, min–max) |`,
)
console.log('| --- | --: | --: | --: | --: | --- | --- | --- |')
for (const s of summary) {
  console.log(
    `| ${s.engine} | ${s.requests} | ${s.perSecond} | ${s.errors} | ${s.lost} | ${s.rssMb.afterWarmup} → ${s.rssMb.last} (${s.rssMb.max}) | ${s.heapMb.afterWarmup} → ${s.heapMb.last} | ${s.fds.first} → ${s.fds.last} (${s.fds.min}–${s.fds.max}) |`,
  )
}
for (const s of summary) if (s.errors || s.lost) console.log(s.engine, JSON.stringify({ errors: s.firstErrors, lost: s.firstLost }))
if (args.out)
  writeFileSync(
    args.out,
    `${JSON.stringify({ durationS: durationMs / 1000, usersPerEngine, summary, runs: runs.map((r) => ({ engine: r.engine, samples: r.samples })) }, null, 2)}\n`,
  )
process.exitCode = summary.some((s) => s.errors || s.lost) ? 1 : 0
