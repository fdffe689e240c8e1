/**
 * Micro-benchmark: @sess/file engine operations without HTTP, every acknowledged write fsync'd (temp file
 * fdatasync + rename + directory fsync). Prints µs/op and ops/s (median of rounds); asserts nothing.
 *
 *   cd packages/file && npx tsx --conditions=@sess/source bench/engine-ops.ts [rounds] [ms per round] [dir]
 *
 * The directory defaults to a fresh one under os.tmpdir(); pass a path to measure another disk.
 */
import { mkdtempSync, rmSync, openSync, writeSync, fdatasyncSync, closeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileEngine } from '../src/index.js'

const SESSIONS = 1_000
const rounds = Number(process.argv[2] ?? 5)
const roundMs = Number(process.argv[3] ?? 1000)
const root = mkdtempSync(join(process.argv[4] ?? tmpdir(), 'sess-file-bench-'))
process.on('exit', () => rmSync(root, { recursive: true, force: true }))

const payload = JSON.stringify({
  d: { user: 'ada', cart: ['book', 'pen', 'lamp'], count: 1, theme: 'dark', csrf: 'x'.repeat(64) },
  c: 1,
  p: 'x'.repeat(40),
})
const now = new Date(Date.UTC(2030, 0, 1))
const expiresAt = new Date(Date.UTC(2030, 0, 15))
const keys = Array.from({ length: SESSIONS }, (_, i) => i.toString(36).padStart(32, '0'))
const engine = fileEngine({ dir: join(root, 'sessions') })
for (const key of keys) await engine.create(key, { payload, expiresAt, version: 1 })

let cursor = 0
const nextKey = () => keys[cursor++ % SESSIONS]!

/** One operation per call; `lanes` of them run at once (like concurrent requests on different sessions). */
const cases: Record<string, { lanes: number; op: () => Promise<unknown> }> = {
  'read (hit)': { lanes: 1, op: () => engine.read(nextKey(), now) },
  'read + update, 1 at a time': {
    lanes: 1,
    op: async () => {
      const key = nextKey()
      const r = (await engine.read(key, now))!
      await engine.update(key, { payload: r.payload, expiresAt, version: r.version + 1 }, r.version)
    },
  },
  'read + update, 10 at once': {
    lanes: 10,
    op: async () => {
      const key = nextKey()
      const r = (await engine.read(key, now))!
      await engine.update(key, { payload: r.payload, expiresAt, version: r.version + 1 }, r.version)
    },
  },
  'ref: 200 B write + fdatasync (sync)': {
    lanes: 1,
    op: async () => {
      const fd = openSync(join(root, 'ref'), 'w')
      writeSync(fd, payload)
      fdatasyncSync(fd)
      closeSync(fd)
    },
  },
  'ref: temp + fdatasync + rename + dir fsync (async, no lock)': {
    lanes: 1,
    op: async () => {
      const handle = await open(join(root, 'ref.tmp'), 'w')
      await handle.writeFile(payload)
      await handle.datasync()
      await handle.close()
      const { rename } = await import('node:fs/promises')
      await rename(join(root, 'ref.tmp'), join(root, 'ref'))
      const dir = await open(root, 'r')
      await dir.sync()
      await dir.close()
    },
  },
}

async function round(c: { lanes: number; op: () => Promise<unknown> }): Promise<number> {
  const deadline = performance.now() + roundMs
  let ops = 0
  await Promise.all(
    Array.from({ length: c.lanes }, async () => {
      while (performance.now() < deadline) {
        await c.op()
        ops++
      }
    }),
  )
  return ops
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`@sess/file engine, ${SESSIONS} sessions of ${payload.length} B, median of ${rounds} × ${roundMs} ms, dir ${root}`)
for (const [name, c] of Object.entries(cases)) {
  const opsPerSec: number[] = []
  const cpuPerOp: number[] = []
  await round({ lanes: c.lanes, op: c.op }) // warm-up
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    const cpu = process.cpuUsage()
    const ops = await round(c)
    const used = process.cpuUsage(cpu)
    opsPerSec.push((ops * 1000) / (performance.now() - start))
    cpuPerOp.push((used.user + used.system) / ops)
  }
  const m = median(opsPerSec)
  console.log(
    `  ${name.padEnd(58)} ${(1e6 / m).toFixed(1).padStart(8)} µs/op ${Math.round(m).toLocaleString('en').padStart(9)} ops/s ${median(cpuPerOp).toFixed(0).padStart(6)} µs CPU/op`,
  )
}
