/** A tiny micro-benchmark harness: median of N batches of ~batchMs each, after one warm-up batch. */

export interface MicroResult {
  bench: string
  op: string
  usPerOp: number
  opsPerSec: number
  /** min–max µs/op over the batches. */
  spread: [number, number]
}

export class Micro {
  readonly results: MicroResult[] = []
  constructor(
    readonly bench: string,
    readonly batchMs: number,
    readonly batches = 5,
  ) {}

  /** Measures `fn` (sync or async, awaited one at a time). */
  async measure(op: string, fn: () => unknown): Promise<MicroResult> {
    return (await this.compare([[op, fn]]))[0]!
  }

  /**
   * Measures several operations with their batches interleaved (a, b, a, b, …), so that a change in the
   * machine's load hits all of them alike. Use it for every ratio the report computes.
   */
  async compare(ops: ReadonlyArray<readonly [op: string, fn: () => unknown]>): Promise<MicroResult[]> {
    const perOp = ops.map(() => [] as number[])
    for (let b = -1; b < this.batches; b++) {
      for (const [j, [, fn]] of ops.entries()) {
        let n = 0
        const t0 = performance.now()
        let t = t0
        while (t - t0 < this.batchMs) {
          for (let i = 0; i < 16; i++) {
            const r = fn()
            if (r instanceof Promise) await r
          }
          n += 16
          t = performance.now()
        }
        if (b >= 0) perOp[j]!.push(((t - t0) * 1000) / n)
      }
    }
    return ops.map(([op], j) => {
      const xs = perOp[j]!.sort((x, y) => x - y)
      const us = xs[xs.length >> 1]!
      const result = { bench: this.bench, op, usPerOp: us, opsPerSec: 1e6 / us, spread: [xs[0]!, xs[xs.length - 1]!] as [number, number] }
      this.results.push(result)
      return result
    })
  }
}

/** A session payload of about 225 bytes of JSON, like the reference harness's. */
export const PAYLOAD = JSON.stringify({
  v: 1,
  data: { user: { id: 4217, name: 'Ada Lovelace', roles: ['admin', 'editor'] }, cart: [17, 42, 99], theme: 'dark', count: 12 },
  created: 1_767_225_600_000,
  expiry: null,
  csrf: 'x9f3k2m8q1w7e5r4t6y0u2i8o3p5a7s1',
})

/** Keys in the session-key grammar ([a-z0-9]{32}), deterministic. */
export function keys(n: number): string[] {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(`bench${String(i).padStart(27, '0')}`)
  return out
}

export const DAY_MS = 86_400_000
