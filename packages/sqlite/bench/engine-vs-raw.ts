/**
 * Micro-benchmark: @sess/sqlite's read + versioned update against raw better-sqlite3 prepared statements
 * doing the same SELECT + UPDATE on the same file (WAL, synchronous NORMAL). Prints ops/s and the ratio;
 * asserts nothing.
 *
 *   cd packages/sqlite && npx tsx --conditions=@sess/source bench/engine-vs-raw.ts [rounds] [ms per round]
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { sqliteEngine } from '../src/index.js'

const ROWS = 10_000
const rounds = Number(process.argv[2] ?? 7)
const roundMs = Number(process.argv[3] ?? 1000)
const dir = mkdtempSync(join(tmpdir(), 'sess-sqlite-bench-'))
const path = join(dir, 'bench.sqlite3')
const payload = JSON.stringify({
  d: { user: 'ada', cart: ['book', 'pen', 'lamp'], count: 1, theme: 'dark', csrf: 'x'.repeat(64) },
  c: 1,
  p: 'x'.repeat(40),
})
const now = new Date(Date.UTC(2030, 0, 1))
const expiresAt = new Date(Date.UTC(2030, 0, 15))
const keys = Array.from({ length: ROWS }, (_, i) => i.toString(36).padStart(32, '0'))
// The table stores SHA-256(key): the raw side hashes each key too, as the engine does.
const digest = (key: string) => createHash('sha256').update(key).digest('hex')

const engine = sqliteEngine({ path })
engine.database.transaction(() => {
  const insert = engine.database.prepare('INSERT INTO sess_sessions (key_hash, payload, expires_at, version) VALUES (?, ?, ?, 1)')
  for (const key of keys) insert.run(digest(key), payload, expiresAt.getTime())
})()

// The raw baseline: its own connection, the same pragmas, the same SQL.
const raw = new Database(path, { timeout: 5000 })
raw.pragma('journal_mode = WAL')
raw.pragma('synchronous = NORMAL')
const select = raw.prepare<[string, number], { payload: string; expires_at: number; version: number }>(
  'SELECT payload, expires_at, version, user_id, handle FROM sess_sessions WHERE key_hash = ? AND expires_at > ?',
)
const update = raw.prepare(
  'UPDATE sess_sessions SET payload = ?, expires_at = ?, version = ?, user_id = ?, handle = ? WHERE key_hash = ? AND version = ?',
)

let cursor = 0
async function engineRound(deadline: number): Promise<number> {
  let ops = 0
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) {
      const key = keys[cursor++ % ROWS]!
      const r = (await engine.read(key, now))!
      await engine.update(key, { payload: r.payload, expiresAt, version: r.version + 1 }, r.version)
    }
    ops += 100
  }
  return ops
}

function rawRound(deadline: number): number {
  let ops = 0
  const nowMs = now.getTime()
  const exp = expiresAt.getTime()
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) {
      const key = digest(keys[cursor++ % ROWS]!)
      const r = select.get(key, nowMs)!
      const { changes } = update.run(r.payload, exp, r.version + 1, null, null, key, r.version)
      if (changes !== 1) throw new Error('raw update lost')
    }
    ops += 100
  }
  return ops
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const engineRates: number[] = []
const rawRates: number[] = []
await engineRound(performance.now() + 300) // warm-up
rawRound(performance.now() + 300)
for (let round = 0; round < rounds; round++) {
  // Alternate the order so drift on a shared machine hits both sides alike.
  const first = round % 2 === 0
  for (const side of first ? ['engine', 'raw'] : ['raw', 'engine']) {
    const start = performance.now()
    const ops = side === 'engine' ? await engineRound(start + roundMs) : rawRound(start + roundMs)
    const rate = ops / ((performance.now() - start) / 1000)
    ;(side === 'engine' ? engineRates : rawRates).push(rate)
  }
}
await engine.dispose()
raw.close()
rmSync(dir, { recursive: true, force: true })

const e = median(engineRates)
const r = median(rawRates)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
console.log(
  `read + versioned update of a ${payload.length}-char session, ${ROWS} rows, WAL + synchronous NORMAL, median of ${rounds} × ${roundMs} ms`,
)
console.log(`  @sess/sqlite engine : ${fmt(e)} ops/s (${(1e6 / e).toFixed(1)} µs/op)`)
console.log(`  raw better-sqlite3  : ${fmt(r)} ops/s (${(1e6 / r).toFixed(1)} µs/op)`)
console.log(`  ratio engine / raw  : ${(e / r).toFixed(2)}  (target ≥ 0.80)`)
