/**
 * Micro-benchmark: @sess/memory's read + versioned update (the /hit path) at 10 000 sessions, against a
 * bare `Map` doing the same copy-out and compare-and-set. Prints µs/op; asserts nothing.
 *
 *   cd packages/memory && npx tsx --conditions=@sess/source bench/read-update.ts [rounds] [ms per round]
 */
import { memoryEngine } from '../src/index.js'

const ROWS = 10_000
const rounds = Number(process.argv[2] ?? 7)
const roundMs = Number(process.argv[3] ?? 500)
const payload = JSON.stringify({
  d: { user: 'ada', cart: ['book', 'pen', 'lamp'], count: 1, theme: 'dark', csrf: 'x'.repeat(64) },
  c: 1,
  p: 'x'.repeat(40),
})
const now = new Date(Date.UTC(2030, 0, 1))
const expiresAt = new Date(Date.UTC(2030, 0, 15))
const keys = Array.from({ length: ROWS }, (_, i) => i.toString(36).padStart(32, '0'))

type Entry = { payload: string; expiresAt: number; version: number }
const map = new Map<string, Entry>()
const engines = {
  'memory (max)': memoryEngine(),
  'memory (max + maxSize)': memoryEngine({ maxSize: 64 * 1024 * 1024 }),
}
for (const key of keys) {
  map.set(key, { payload, expiresAt: expiresAt.getTime(), version: 1 })
  for (const e of Object.values(engines)) await e.create(key, { payload, expiresAt, version: 1 })
}

let cursor = 0
async function engineRound(e: (typeof engines)[keyof typeof engines], deadline: number): Promise<number> {
  let ops = 0
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) {
      const key = keys[cursor++ % ROWS]!
      const r = (await e.read(key, now))!
      await e.update(key, { payload: r.payload, expiresAt, version: r.version + 1 }, r.version)
    }
    ops += 1000
  }
  return ops
}
async function mapRound(deadline: number): Promise<number> {
  let ops = 0
  while (performance.now() < deadline) {
    for (let i = 0; i < 1000; i++) {
      const key = keys[cursor++ % ROWS]!
      const stored = await Promise.resolve(map.get(key)!)
      const r = { payload: stored.payload, expiresAt: new Date(stored.expiresAt), version: stored.version }
      const current = await Promise.resolve(map.get(key)!)
      if (current.version !== r.version) throw new Error('conflict')
      map.set(key, { payload: r.payload, expiresAt: expiresAt.getTime(), version: r.version + 1 })
    }
    ops += 1000
  }
  return ops
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const results: Record<string, number[]> = { 'bare Map + promises': [] }
for (const name of Object.keys(engines)) results[name] = []
for (let round = -1; round < rounds; round++) {
  for (const name of Object.keys(results)) {
    const start = performance.now()
    const ops =
      name in engines ? await engineRound(engines[name as keyof typeof engines], start + roundMs) : await mapRound(start + roundMs)
    if (round >= 0) results[name]!.push(((performance.now() - start) * 1000) / ops)
  }
}
console.log(`read + versioned update, ${ROWS} sessions, median of ${rounds} × ${roundMs} ms`)
for (const [name, us] of Object.entries(results)) console.log(`  ${name.padEnd(24)} ${median(us).toFixed(2)} µs/op`)
