/**
 * `pnpm bench`: the side-by-side benchmark of @sess against its peers. See bench/README.md.
 *
 * HTTP groups: each case runs in its own server process (fresh per case and round) on 127.0.0.1; the load
 * generator (wrk, else autocannon) runs in another process; the server reports its own CPU per request over
 * IPC. Each round runs bare, case 1, bare, case 2, …, bare, so every ratio is to the bare framework measured
 * just before and just after it. Engine micro-benchmarks run one process per engine and round.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseOptions, type Options } from './cli.js'
import { httpGroups, serverCases } from './cases/index.js'
import type { ServerCase } from './cases/types.js'
import { ENGINE_BENCHES, runEngineRound, summariseEngines, type EngineRun } from './engine-runner.js'
import { runGroupRound, type HttpRun, type RoundContext } from './http-runner.js'
import { pickLoadgen } from './loadgen/index.js'
import { findPackageBenches, runPackageBench, type PackageBench } from './package-benches.js'
import { engineTable, httpTables, redisTable, targetTable } from './report.js'
import { checkPostgres, startRedis, type BenchRedis } from './services.js'
import { summarise } from './summary.js'
import { checkTargets } from './targets.js'
import { machine } from './system.js'
import { buildPackages } from './build.js'
import { staleDists } from './stale-dists.js'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

function versions(): Record<string, string> {
  const require = createRequire(resolve(benchDir, 'package.json'))
  const out: Record<string, string> = {}
  for (const name of [
    'express',
    'express-session',
    'memorystore',
    'better-sqlite3',
    'better-sqlite3-session-store',
    'session-file-store',
    'iron-session',
    'iron-webcrypto',
    'koa',
    'koa-session',
    'hono',
    '@hono/node-server',
    'hono-sessions',
    'fastify',
    '@fastify/cookie',
    '@fastify/session',
    'redis',
    'connect-redis',
    'pg',
    'connect-pg-simple',
    'autocannon',
  ]) {
    try {
      out[name] = (require(`${name}/package.json`) as { version: string }).version
    } catch {
      try {
        out[name] = (
          JSON.parse(readFileSync(resolve(benchDir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
        ).version
      } catch {
        out[name] = '?'
      }
    }
  }
  return out
}

function selectCases(opts: Options): Map<string, { bare: ServerCase; cases: ServerCase[] }> {
  const out = new Map<string, { bare: ServerCase; cases: ServerCase[] }>()
  for (const group of httpGroups) {
    if (!opts.groups.includes(group)) continue
    const all = serverCases.filter((c) => c.group === group)
    const bare = all.find((c) => c.kind === 'bare')!
    const cases = all.filter((c) => c.kind !== 'bare' && (opts.cases === null ? !c.diagnostic : opts.cases.includes(c.id)))
    if (opts.cases !== null && cases.length === 0) continue
    out.set(group, { bare, cases })
  }
  return out
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2))
  if (opts.list) {
    for (const c of serverCases)
      console.log(
        `${c.group.padEnd(8)} ${c.id.padEnd(32)} ${c.label}${c.needs ? `  (needs ${c.needs.join(', ')})` : ''}${c.diagnostic ? '  (diagnostic: only with --case)' : ''}`,
      )
    console.log(`engines  ${ENGINE_BENCHES.join(', ')}`)
    return
  }
  const selected = selectCases(opts)
  const engineNames = opts.groups.includes('engines')
    ? ENGINE_BENCHES.filter((n) => opts.cases === null || opts.cases.includes(n) || opts.cases.includes(`engines/${n}`))
    : []
  const tool = pickLoadgen(opts.loadgen)
  const skipped = new Map<string, string>()
  const started = new Date()
  const log = (line: string) => console.log(line)
  log(
    `sess bench — ${started.toISOString()} — node ${process.version}, load generator ${tool}, @sess from ${opts.from}, ${opts.rounds} round(s) × ${opts.durationS} s (+${opts.warmupS} s warm-up), ${opts.connections} connections`,
  )

  if (opts.from === 'build') await buildPackages(log)
  if (opts.from === 'dist') {
    const stale = staleDists()
    if (stale.length > 0) log(`WARNING: dist/ older than src/ or missing for ${stale.join(', ')} — run pnpm build`)
  }

  const needs = [...selected.values()].flatMap((g) => g.cases).flatMap((c) => c.needs ?? [])
  let redis: BenchRedis | null = null
  if (needs.includes('redis') || engineNames.includes('redis')) {
    try {
      redis = await startRedis(opts.redisUrl)
      log(
        `redis: ${redis.url} (${redis.private ? 'a private redis-server for this run' : 'the shared server: command counts include other clients'})`,
      )
    } catch (error) {
      const reason = `Redis not reachable: ${error instanceof Error ? error.message : String(error)}`
      for (const c of serverCases) if (c.needs?.includes('redis')) skipped.set(c.id, reason)
    }
  }
  if (needs.includes('postgres') || engineNames.includes('postgres')) {
    const problem = await checkPostgres(opts.pgUrl)
    if (problem)
      for (const c of serverCases)
        if (c.needs?.includes('postgres')) skipped.set(c.id, `PostgreSQL not reachable at ${opts.pgUrl}: ${problem}`)
  }

  const ctx: RoundContext = { opts, tool, redis, pgUrl: opts.pgUrl, secret: SECRET, dataRoot: resolve(benchDir, '.data'), skipped, log }
  const httpRuns: HttpRun[] = []
  const engineRuns: EngineRun[] = []
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      for (const [group, { bare, cases }] of selected) {
        log(`\nround ${round}/${opts.rounds} — ${group}`)
        httpRuns.push(...(await runGroupRound(bare, cases, round, ctx)))
      }
      if (engineNames.length > 0) {
        log(`\nround ${round}/${opts.rounds} — engines (no HTTP)`)
        engineRuns.push(
          ...(await runEngineRound(
            round,
            engineNames,
            { redisUrl: redis?.url ?? opts.redisUrl, pgUrl: opts.pgUrl, secret: SECRET, from: opts.from },
            ctx.dataRoot,
            opts,
            skipped,
            log,
          )),
        )
      }
    }
  } finally {
    await redis?.close()
  }
  const packageBenches: PackageBench[] = []
  if (opts.groups.includes('packages')) {
    log(`\npackages' own micro-benchmarks (once, verbatim)`)
    for (const file of findPackageBenches()) {
      log(`  ${file}`)
      packageBenches.push(await runPackageBench(file))
    }
  }

  const http = summarise(httpRuns)
  const engines = summariseEngines(engineRuns)
  const targets = checkTargets(http, engines)
  const allCases = [...selected.values()].flatMap((g) => [g.bare, ...g.cases])
  const finished = new Date()
  const conditions = `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${opts.rounds} round(s) × ${opts.durationS} s, ${opts.connections} connections, ${tool}, @sess from ${opts.from}; other processes used a median ${median0(httpRuns.map((r) => r.host?.otherPct))} % of the machine during the runs (max ${max0(httpRuns.map((r) => r.host?.otherPct))} %), steal ${median0(httpRuns.map((r) => r.host?.stealPct))} %${opts.note ? `; ${opts.note}` : ''}`
  const md = [
    `_Run: ${conditions}._`,
    httpTables(http, allCases, opts.scenarios, skipped),
    redisTable(http) ? `### Redis commands per request\n\n${redisTable(http)}` : '',
    engineTable(engines) ? `### Engines without HTTP\n\n${engineTable(engines)}` : '',
    `### Targets\n\n${targetTable(targets)}`,
    packageBenches.length > 0
      ? `### The packages' own micro-benchmarks\n\nRun once each as their headers say (\`npx tsx --conditions=@sess/source bench/<file>\` in the package: sources through tsx), output verbatim.\n\n${packageBenches.map((b) => `<details><summary>${b.file}${b.ok ? '' : ' (failed)'}</summary>\n\n\`\`\`\n${b.output}\n\`\`\`\n\n</details>`).join('\n\n')}`
      : '',
    skipped.size > 0 ? `### Skipped\n\n${[...skipped].map(([id, why]) => `- \`${id}\`: ${why}`).join('\n')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n')
  console.log(`\n${md}\n`)

  const out = resolve(benchDir, opts.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(
    out,
    `${JSON.stringify({ started, finished, conditions, machine: machine(), options: opts, versions: versions(), loadgen: tool, skipped: Object.fromEntries(skipped), summary: { http, engines, targets, packageBenches }, raw: { http: httpRuns, engines: engineRuns } }, null, 2)}\n`,
  )
  writeFileSync(`${out.replace(/\.json$/, '')}.md`, `${md}\n`)
  log(`wrote ${out} and ${out.replace(/\.json$/, '')}.md`)
  if (opts.readme) {
    const readme = resolve(benchDir, 'README.md')
    const text = readFileSync(readme, 'utf8')
    const start = `<!-- ${opts.section}:start -->`
    const end = `<!-- ${opts.section}:end -->`
    const a = text.indexOf(start)
    const b = text.indexOf(end)
    if (a < 0 || b < a) throw new Error(`README.md has no ${start} … ${end} section`)
    writeFileSync(readme, `${text.slice(0, a + start.length)}\n${md}\n${text.slice(b)}`)
    log(`updated the ${opts.section} section of bench/README.md`)
  }
}

function max0(xs: Array<number | undefined>): string {
  const v = xs.filter((x): x is number => x !== undefined)
  return v.length === 0 ? '?' : Math.max(...v).toFixed(0)
}

function median0(xs: Array<number | undefined>): string {
  const v = xs.filter((x): x is number => x !== undefined).sort((a, b) => a - b)
  return v.length === 0 ? '?' : v[v.length >> 1]!.toFixed(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
