/**
 * Heap per session: @sess/memory holding N small sessions (written and then read + updated through the engine API
 * the way core does), against a plain `Map<string, string>` of the same sessions (koa-session's external-store
 * shape: cookie key → JSON). Each variant runs in a fresh child process; prints bytes/session of V8 heap
 * (`heapUsed` after forced full GCs, minus a baseline taken before the store was created) and of typed-array
 * backing stores (`arrayBuffers`, outside the V8 heap), with the session keys **dropped**: a server holds keys in
 * cookies, not in memory. Keys live in a Buffer and every call gets a fresh flat string from it, like a cookie
 * parsed per request; `--keys core` makes each create's key with `generateSessionKey()` instead (a cons string until
 * core flattens it; the engine keeps only a digest of it, so this changes nothing once the key is dropped).
 *
 *   cd bench && npx tsx --expose-gc --conditions=@sess/source src/tools/heap-per-session.ts [sessions=100000] [--keys core] [--max 200000]
 *
 * Without `--conditions=@sess/source` the packages' dists are measured (build them first).
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { generateSessionKey } from '@sess/core/engine'
import { memoryEngine } from '@sess/memory'

const KEY_LENGTH = 32
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const DAY = 86_400_000
const VARIANTS = ['memory', 'map'] as const
type Variant = (typeof VARIANTS)[number]

interface Sample {
  heap: number
  buffers: number
}
interface Report {
  variant: Variant
  sessions: number
  afterWrites: Sample
  afterReadsAndUpdates: Sample
  empty: Sample
}

const args = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const at = args.indexOf(name)
  return at === -1 ? undefined : args[at + 1]
}
const positional = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'))
const sessions = Number(positional[0] ?? 100_000)
const keyMode = flag('--keys') ?? 'flat'
const max = Number(flag('--max') ?? 200_000)
const child = flag('--child') as Variant | undefined

/** N session keys of core's grammar (32 × [a-z0-9]) packed in one Buffer: nothing of them is on the V8 heap. */
function keyBuffer(n: number): Buffer {
  const bytes = randomBytes(n * KEY_LENGTH)
  for (let i = 0; i < bytes.length; i++) bytes[i] = ALPHABET.charCodeAt(bytes[i]! % 36)
  return bytes
}
/** The i-th key as a fresh flat string, like the key parsed out of one request's Cookie header. */
const keyAt = (keys: Buffer, i: number): string => keys.toString('latin1', i * KEY_LENGTH, (i + 1) * KEY_LENGTH)

/** Core's payload of a fresh session holding `{ count }` (`encodePayload` with the JSON serializer, default expiry). */
const corePayload = (count: number, created: number): string => JSON.stringify({ d: Object.fromEntries([['count', count]]), c: created })

async function settle(): Promise<Sample> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with --expose-gc')
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setImmediate(resolve))
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return { heap: heapUsed, buffers: arrayBuffers }
}

interface Store {
  write(keys: Buffer, n: number, core: boolean): Promise<void>
  readAndUpdate(keys: Buffer, n: number): Promise<void>
  size(): number
  dispose(): Promise<void>
}

function memoryStore(): Store {
  const engine = memoryEngine({ max })
  const now = new Date()
  return {
    async write(keys, n, core) {
      for (let i = 0; i < n; i++) {
        const key = core ? generateSessionKey() : keyAt(keys, i)
        if (core) keys.write(key, i * KEY_LENGTH, 'latin1')
        const created = Date.now()
        await engine.create(key, { payload: corePayload(1, created), expiresAt: new Date(created + 14 * DAY), version: 1 })
      }
    },
    async readAndUpdate(keys, n) {
      for (let i = 0; i < n; i++) {
        const record = await engine.read(keyAt(keys, i), now)
        if (record === null) throw new Error(`session ${i} is missing`)
        const created = Date.now()
        const next = { payload: corePayload(2, created), expiresAt: new Date(created + 14 * DAY), version: record.version + 1 }
        await engine.update(keyAt(keys, i), next, record.version)
      }
    },
    size: () => engine.size,
    dispose: () => engine.dispose(),
  }
}

/** koa-session's external store on a `Map`: key → `JSON.stringify(session)` with its `_expire` and `_maxAge`. */
function mapStore(): Store {
  let map = new Map<string, string>()
  const json = (count: number) => JSON.stringify({ count, _expire: Date.now() + DAY, _maxAge: DAY })
  return {
    async write(keys, n) {
      for (let i = 0; i < n; i++) map.set(keyAt(keys, i), await Promise.resolve(json(1)))
    },
    async readAndUpdate(keys, n) {
      for (let i = 0; i < n; i++) {
        const key = keyAt(keys, i)
        const stored = map.get(key)
        if (stored === undefined) throw new Error(`session ${i} is missing`)
        const session = JSON.parse(stored) as { count: number }
        map.set(key, await Promise.resolve(json(session.count + 1)))
      }
    },
    size: () => map.size,
    async dispose() {
      map = new Map()
    },
  }
}

async function measure(variant: Variant): Promise<Report> {
  const make = variant === 'memory' ? memoryStore : mapStore
  const core = keyMode === 'core'
  // Warm up (compiled code and inline caches belong to the baseline, not to the sessions).
  {
    const warm = make()
    const keys = keyBuffer(2000)
    await warm.write(keys, 2000, core)
    await warm.readAndUpdate(keys, 2000)
    await warm.dispose()
  }
  let keys: Buffer | null = keyBuffer(sessions)
  const keyBytes = keys.length
  const baseline = await settle()
  const store = make()
  const empty = await settle()
  await store.write(keys, sessions, core)
  if (store.size() !== sessions) throw new Error(`holds ${store.size()} of ${sessions} sessions`)
  const afterWrites = await settle()
  await store.readAndUpdate(keys, sessions)
  if (store.size() !== sessions) throw new Error(`holds ${store.size()} of ${sessions} sessions`)
  keys = null
  const afterReadsAndUpdates = await settle()
  // The baseline holds the key Buffer: add its bytes back once it is dropped.
  const delta = (s: Sample, keysDropped = false): Sample => ({
    heap: s.heap - baseline.heap,
    buffers: s.buffers - baseline.buffers + (keysDropped ? keyBytes : 0),
  })
  const report = {
    variant,
    sessions,
    empty: delta(empty),
    afterWrites: delta(afterWrites),
    afterReadsAndUpdates: delta(afterReadsAndUpdates, true),
  }
  await store.dispose()
  return report
}

function run(variant: Variant): Promise<Report> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [String(sessions), '--keys', keyMode, '--max', String(max), '--child', variant], {
      execArgv: process.execArgv,
    })
    proc.on('message', (message) => resolve(message as Report))
    proc.on('error', reject)
    proc.on('exit', (code) => {
      if (code !== 0) reject(new Error(`${variant}: exit ${code}`))
    })
  })
}

if (child !== undefined) {
  process.send!(await measure(child))
  process.disconnect()
} else {
  const per = (bytes: number) => Math.round(bytes / sessions)
  const cell = ({ heap, buffers }: Sample) => `${per(heap)} + ${per(buffers)} = ${per(heap + buffers)}`.padEnd(22)
  console.log(
    `${sessions} small sessions (memory: max ${max}), keys ${keyMode === 'core' ? 'from generateSessionKey()' : 'flat'} and dropped; Node ${process.version}`,
  )
  console.log(`B/session (heap + typed arrays = total)  after writes          after a read + update of each   empty store (B)`)
  for (const variant of VARIANTS) {
    const r = await run(variant)
    const name = variant === 'memory' ? '@sess/memory' : 'Map<string, string>'
    console.log(`${name.padEnd(41)}${cell(r.afterWrites)}${cell(r.afterReadsAndUpdates).padEnd(32)}${r.empty.heap + r.empty.buffers}`)
  }
}
