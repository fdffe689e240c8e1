import { parseArgs } from 'node:util'

/** The runner's options (see bench/README.md). */
export interface Options {
  groups: string[]
  cases: string[] | null
  scenarios: Scenario[]
  rounds: number
  durationS: number
  warmupS: number
  connections: number
  loadgen: string
  from: 'build' | 'source' | 'dist'
  out: string
  readme: boolean
  /** The README section `--readme` replaces: `results` (the default) or another `<!-- NAME:start -->` section. */
  section: string
  list: boolean
  engineBatchMs: number
  redisUrl: string
  pgUrl: string
  note: string
}

/**
 * `hit`/`read`/`noop` give every connection its own session; `new` sends no cookie; the `-shared` ones send one
 * session's cookie on every connection (one user whose page fires parallel requests: write contention on one key).
 */
export type Scenario = 'hit' | 'noop' | 'read' | 'new' | 'hit-shared' | 'read-shared' | 'noop-shared'
export const ALL_SCENARIOS: Scenario[] = ['hit', 'noop', 'read', 'new', 'hit-shared', 'read-shared', 'noop-shared']

/** The route a scenario requests. */
export function scenarioPath(scenario: Scenario): string {
  return scenario === 'new' ? '/hit' : `/${scenario.replace(/-shared$/, '')}`
}

/** Whether all connections of a scenario share one session cookie. */
export function isShared(scenario: Scenario): boolean {
  return scenario.endsWith('-shared')
}
export const ALL_GROUPS = ['express', 'koa', 'hono', 'fastify', 'engines', 'packages']

const HELP = `pnpm bench [-- options]
  --group express,koa,hono,fastify,engines,packages
                                     groups to run (default: all); packages = the engine packages' own
                                     bench/*.ts scripts, run once, output kept verbatim
  --case id,id                       only these cases (bare frameworks always run); --list shows ids
  --scenarios hit,noop,read,new,hit-shared,read-shared,noop-shared
                                     HTTP scenarios (default: all seven; -shared = every connection
                                     sends one session's cookie)
  --rounds 3                         rounds; every number reported is the median over rounds
  --duration 4                       seconds of measured load per scenario
  --warmup 1                         seconds of unmeasured load before each measured run
  --connections 10                   keep-alive connections
  --loadgen auto|wrk|autocannon      load generator (auto: wrk when installed)
  --from build|dist|source           build: compile every @sess package with its own tsup config into
                                     bench/.build first and load that (default: the published code, current
                                     sources); dist: the packages' dist/ (run pnpm build first); source: src/ via tsx
  --out results/latest.json          where the raw and summarised results go (+ .md beside it)
  --readme                           also replace the results section of bench/README.md
  --section results                  which README section --readme replaces (<!-- NAME:start --> … <!-- NAME:end -->)
  --note "text"                      a note stored with the results (e.g. the load on the machine)
  --list                             print the cases and exit`

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: {
      group: { type: 'string' },
      case: { type: 'string' },
      scenarios: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      loadgen: { type: 'string' },
      from: { type: 'string' },
      out: { type: 'string' },
      readme: { type: 'boolean' },
      section: { type: 'string' },
      list: { type: 'boolean' },
      note: { type: 'string' },
      'engine-batch-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(HELP)
    process.exit(0)
  }
  const list = (s: string | undefined): string[] | null =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : null
  const num = (s: string | undefined, d: number): number => {
    const n = s === undefined ? d : Number(s)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bad number ${s}\n${HELP}`)
    return n
  }
  const groups = list(values.group) ?? ALL_GROUPS
  for (const g of groups) if (!ALL_GROUPS.includes(g)) throw new Error(`unknown group ${g}\n${HELP}`)
  const scenarios = (list(values.scenarios) ?? ALL_SCENARIOS) as Scenario[]
  for (const s of scenarios) if (!ALL_SCENARIOS.includes(s)) throw new Error(`unknown scenario ${s}\n${HELP}`)
  const from = values.from ?? 'build'
  if (from !== 'build' && from !== 'source' && from !== 'dist') throw new Error(`--from is build, dist or source\n${HELP}`)
  return {
    groups,
    cases: list(values.case),
    scenarios,
    rounds: Math.round(num(values.rounds, 3)),
    durationS: num(values.duration, 4),
    warmupS: num(values.warmup, 1),
    connections: Math.round(num(values.connections, 10)),
    loadgen: values.loadgen ?? 'auto',
    from,
    out: values.out ?? 'results/latest.json',
    readme: values.readme ?? false,
    section: values.section ?? 'results',
    list: values.list ?? false,
    engineBatchMs: num(values['engine-batch-ms'], 200),
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    note: values.note ?? '',
  }
}
