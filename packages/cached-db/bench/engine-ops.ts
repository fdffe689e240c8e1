/**
 * Micro-benchmark: @sess/cached-db (memory over SQLite) without HTTP, against @sess/memory and @sess/sqlite
 * alone. Reads of cached sessions should cost within 10 % of the memory engine's; read + update pays
 * for the SQLite write. Prints µs/op and ops/s (median of rounds); asserts nothing.
 *
 *   cd packages/cached-db && npx tsx --conditions=@sess/source bench/engine-ops.ts [rounds] [ms per round]
 */
import { createSessions } from '@sess/core'
import type { SessionEngine } from '@sess/core/engine'
import { memoryEngine } from '@sess/memory'
import { sqliteEngine } from '@sess/sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cachedDbEngine } from '../src/index.js'

const SESSIONS = 10_000
const rounds = Number(process.argv[2] ?? 7)
const roundMs = Number(process.argv[3] ?? 500)
const root = mkdtempSync(join(tmpdir(), 'sess-cached-db-bench-'))
process.on('exit', () => rmSync(root, { recursive: true, force: true }))

const now = new Date(Date.UTC(2030, 0, 1))
const expiresAt = new Date(Date.UTC(2030, 0, 15))
const keys = Array.from({ length: SESSIONS }, (_, i) => i.toString(36).padStart(32, '0'))

const engines: Record<string, SessionEngine> = {
  memory: memoryEngine({ max: SESSIONS * 2 }),
  'cached-db (memory over SQLite)': cachedDbEngine({
    cache: memoryEngine({ max: SESSIONS * 2 }),
    db: sqliteEngine({ path: join(root, 'cached.sqlite3') }),
  }),
  sqlite: sqliteEngine({ path: join(root, 'plain.sqlite3') }),
}
const sessionPayload = JSON.stringify({
  d: { user: 'ada', cart: ['book', 'pen', 'lamp'], count: 1, theme: 'dark', csrf: 'x'.repeat(64) },
  c: now.getTime(),
})
for (const engine of Object.values(engines))
  for (const key of keys) await engine.create(key, { payload: sessionPayload, expiresAt, version: 1 })

const sessions = new Map(Object.entries(engines).map(([, engine]) => [engine, createSessions({ engine, now: () => now })]))

let cursor = 0
const ops = {
  /** What a request that reads its session does: parse the cookie, load through core's store, get a value. */
  'session read (createSessions load + get)': async (e: SessionEngine) => {
    const session = sessions.get(e)!.load(`sessionid=${keys[cursor++ % SESSIONS]!}`)
    await session.get('user')
  },
  read: async (e: SessionEngine) => {
    await e.read(keys[cursor++ % SESSIONS]!, now)
  },
  'read + update': async (e: SessionEngine) => {
    const key = keys[cursor++ % SESSIONS]!
    const r = (await e.read(key, now))!
    await e.update(key, { payload: r.payload, expiresAt, version: r.version + 1 }, r.version)
  },
}

async function round(engine: SessionEngine, op: (e: SessionEngine) => Promise<void>): Promise<number> {
  const start = performance.now()
  const deadline = start + roundMs
  let n = 0
  while (performance.now() < deadline) {
    for (let i = 0; i < 500; i++) await op(engine)
    n += 500
  }
  return ((performance.now() - start) * 1000) / n
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`${SESSIONS} sessions of ${sessionPayload.length} B, median of ${rounds} × ${roundMs} ms (engines interleaved per round)`)
for (const [opName, op] of Object.entries(ops)) {
  const us: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((name) => [name, []]))
  for (let r = -1; r < rounds; r++) {
    for (const [name, engine] of Object.entries(engines)) {
      const value = await round(engine, op)
      if (r >= 0) us[name]!.push(value)
    }
  }
  const base = median(us.memory!)
  console.log(opName)
  for (const [name, values] of Object.entries(us)) {
    const m = median(values)
    console.log(
      `  ${name.padEnd(32)} ${m.toFixed(2).padStart(8)} µs/op ${Math.round(1e6 / m)
        .toLocaleString('en')
        .padStart(10)} ops/s  ${(m / base).toFixed(2)}× memory`,
    )
  }
}
