/**
 * The 50-writer storm: 50 requests of one session, all loaded before any saves (each awaits 5 ms between
 * its load and its write, as a real handler awaiting a database would), each setting its own key, then all
 * committing at once. Reports per round the conflicts (`session.conflict` events), the writers' commit
 * latency (p50 / p99 / max) and whether every write survived. Core only, no HTTP: the cost is the engine's
 * and core's. Run: `pnpm --filter @sess/bench exec tsx --conditions=@sess/source src/storm/storm.ts [rounds]`
 * (it uses only the public API of @sess/core, so the same file measures an older checkout too).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSessions, type SessionEngine } from '@sess/core'
import { memoryEngine } from '@sess/memory'
import { postgresEngine } from '@sess/postgres'
import { redisEngine } from '@sess/redis'
import { sqliteEngine } from '@sess/sqlite'
import { createClient } from 'redis'

const WRITERS = 50
const rounds = Number(process.argv[2] ?? 20)
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Round {
  conflicts: number
  latencies: number[]
  lost: number
}

async function storm(engine: SessionEngine): Promise<Round> {
  let conflicts = 0
  const sessions = createSessions({ engine, onEvent: (e) => void (e.type === 'session.conflict' && conflicts++), maxConflictRetries: 200 })
  const first = sessions.load(undefined)
  await first.set('start', 0)
  const { setCookie } = await sessions.commit(first)
  const cookie = setCookie[0]!.split(';')[0]!
  const writer = async (i: number) => {
    const s = sessions.load(cookie)
    await s.get('start')
    await pause(5)
    await s.set(`k${i}`, i)
    const t0 = performance.now()
    await sessions.commit(s, { status: 200 })
    return performance.now() - t0
  }
  const latencies = await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)))
  const check = sessions.load(cookie)
  let lost = 0
  for (let i = 0; i < WRITERS; i++) if ((await check.get(`k${i}`)) !== i) lost++
  return { conflicts, latencies, lost }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

async function measure(name: string, make: () => Promise<SessionEngine>, dispose: () => Promise<void>) {
  const all: number[] = []
  let conflicts = 0
  let lost = 0
  for (let r = 0; r < rounds; r++) {
    const result = await storm(await make())
    all.push(...result.latencies)
    conflicts += result.conflicts
    lost += result.lost
  }
  await dispose()
  all.sort((a, b) => a - b)
  const f = (n: number) => n.toFixed(1)
  console.log(
    `${name.padEnd(10)} conflicts/round ${f(conflicts / rounds).padStart(6)}  commit p50 ${f(quantile(all, 0.5)).padStart(6)} ms  p99 ${f(quantile(all, 0.99)).padStart(6)} ms  max ${f(all[all.length - 1]!).padStart(6)} ms  lost writes ${lost}`,
  )
}

const dir = mkdtempSync(join(tmpdir(), 'sess-storm-'))
const redis = createClient({ url: process.env.SESS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' })
redis.on('error', () => undefined)
await redis.connect()
const pgTable = `sess_storm_${randomBytes(4).toString('hex')}`
const pg = postgresEngine({
  connectionString: process.env.SESS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  table: pgTable,
})
const sqlite = sqliteEngine({ path: join(dir, 'storm.sqlite3') })

console.log(`50-writer storm, ${rounds} rounds, ${WRITERS} writers each (node ${process.version})`)
await measure(
  'memory',
  async () => memoryEngine(),
  async () => {},
)
await measure(
  'sqlite',
  async () => sqlite,
  async () => sqlite.dispose?.(),
)
await measure(
  'redis',
  async () => redisEngine({ client: redis, prefix: `sess-storm:${randomBytes(4).toString('hex')}:` }),
  async () => void (await redis.quit()),
)
await measure(
  'postgres',
  async () => pg,
  async () => {
    const { default: Pg } = await import('pg')
    const client = new Pg.Client({ connectionString: process.env.SESS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' })
    await client.connect()
    await client.query(`DROP TABLE IF EXISTS "${pgTable}"`)
    await client.end()
    await pg.dispose?.()
  },
)
