/**
 * @module @sess/engine-tests/bench
 * A throughput probe for any session engine, without HTTP: the engine packages' `bench/*.ts` scripts share it,
 * and a third-party engine can run it the same way. It measures and prints; it asserts nothing.
 */
import { generateSessionKey, type SessionEngine } from '@sess/core/engine'

/** Options of {@link measureEngineOps}. */
export interface EngineOpsOptions {
  /** Printed before every line, e.g. `redis (ioredis)`. */
  label: string
  /** How many sessions are created first; reads and updates cycle through them. Default 1000. */
  sessions?: number
  /** How many operations run at once (like concurrent requests on different sessions). Default 50. */
  lanes?: number
  /** How long each operation is measured, in ms. Default 2000. */
  durationMs?: number
  /** Appended inside the parentheses of every line, e.g. `pool of 10`. */
  note?: string
}

/** Operations per second of each engine operation measured by {@link measureEngineOps}. */
export interface EngineOpsResult {
  read: number
  update: number
  create: number
}

/**
 * Creates `sessions` sessions in `engine`, then measures `read`, versioned `update` and `create` in turn, each
 * for `durationMs` with `lanes` callers at once, prints one line per operation and returns the rates.
 * Writes real sessions (expiring an hour later): point it at a throwaway table, prefix or directory.
 */
export async function measureEngineOps(engine: SessionEngine, options: EngineOpsOptions): Promise<EngineOpsResult> {
  const { label, sessions = 1000, lanes = 50, durationMs = 2000, note } = options
  const later = new Date(Date.now() + 3_600_000)
  const keys = Array.from({ length: sessions }, () => generateSessionKey())
  for (const key of keys) await engine.create(key, { payload: '{"d":{"n":1},"c":1}', expiresAt: later, version: 1 })
  const versions = new Map(keys.map((k) => [k, 1]))
  const ops: Record<keyof EngineOpsResult, (i: number) => Promise<unknown>> = {
    read: (i) => engine.read(keys[i % keys.length]!, new Date()),
    update: async (i) => {
      const key = keys[i % keys.length]!
      const v = versions.get(key)!
      versions.set(key, v + 1)
      await engine.update(key, { payload: `{"d":{"n":${i}},"c":1}`, expiresAt: later, version: v + 1 }, v)
    },
    create: (i) => engine.create(generateSessionKey(), { payload: `{"d":{"n":${i}},"c":1}`, expiresAt: later, version: 1 }),
  }
  const result: EngineOpsResult = { read: 0, update: 0, create: 0 }
  for (const op of Object.keys(ops) as (keyof EngineOpsResult)[]) {
    let count = 0
    const started = performance.now()
    const deadline = started + durationMs
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        while (performance.now() < deadline) await ops[op](lane * 1_000_000 + count++)
      }),
    )
    result[op] = Math.round((count * 1000) / (performance.now() - started))
    console.log(`${label}: ${op} ${result[op]} ops/s (${lanes} concurrent${note ? `, ${note}` : ''})`)
  }
  return result
}
