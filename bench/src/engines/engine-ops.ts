import type { Micro } from './micro.js'
import { DAY_MS, keys, PAYLOAD } from './micro.js'

/** The engine contract, as far as these benches use it. */
export interface EngineLike {
  read(key: string, now: Date): Promise<{ payload: string; expiresAt: Date; version: number } | null>
  create(key: string, record: { payload: string; expiresAt: Date; version: number }): Promise<void>
  update(key: string, record: { payload: string; expiresAt: Date; version: number }, ifVersion?: number): Promise<void>
  dispose?(): Promise<void>
}

/** Fills an engine with `n` sessions. */
export async function fill(engine: EngineLike, n: number): Promise<string[]> {
  const ks = keys(n)
  const expiresAt = new Date(Date.now() + 14 * DAY_MS)
  for (const k of ks) await engine.create(k, { payload: PAYLOAD, expiresAt, version: 1 })
  return ks
}

/** `read`: a hit, cycling over the keys. */
export function readOp(label: string, engine: EngineLike, ks: string[]): readonly [string, () => Promise<void>] {
  let i = 0
  const now = new Date()
  return [
    `${label} read`,
    async () => {
      const r = await engine.read(ks[i++ % ks.length]!, now)
      if (r === null) throw new Error(`${label}: miss`)
    },
  ]
}

/** `read+update`: read, then a versioned update of the same record (what a /hit request asks of an engine). */
export function readUpdateOp(label: string, engine: EngineLike, ks: string[]): readonly [string, () => Promise<void>] {
  let i = 0
  const now = new Date()
  const expiresAt = new Date(Date.now() + 14 * DAY_MS)
  return [
    `${label} read+update`,
    async () => {
      const key = ks[i++ % ks.length]!
      const r = await engine.read(key, now)
      if (r === null) throw new Error(`${label}: miss`)
      await engine.update(key, { payload: r.payload, expiresAt, version: r.version + 1 }, r.version)
    },
  ]
}

/** Both operations, one after the other. */
export async function engineOps(m: Micro, label: string, engine: EngineLike, ks: string[]): Promise<void> {
  await m.compare([readOp(label, engine, ks)])
  await m.compare([readUpdateOp(label, engine, ks)])
}
