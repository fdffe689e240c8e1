import { describe, expect, it } from 'vitest'
import { generateSessionKey } from './keys.js'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
const KEYS = 1_000_000
const LENGTH = 32

/** χ² statistic of `counts` against a uniform expectation. */
function chiSquare(counts: ArrayLike<number>): number {
  let total = 0
  for (let i = 0; i < counts.length; i++) total += counts[i]!
  const expected = total / counts.length
  let sum = 0
  for (let i = 0; i < counts.length; i++) sum += (counts[i]! - expected) ** 2 / expected
  return sum
}

/** The χ² value a uniform source exceeds with probability 1e-7 (Wilson–Hilferty; z = 5.199). */
function critical(degrees: number): number {
  const a = 2 / (9 * degrees)
  return degrees * (1 - a + 5.199 * Math.sqrt(a)) ** 3
}

/** Symbol, per-position and adjacent-pair counts over `keys`. */
function tally(keys: readonly string[]): { symbols: Float64Array; positions: Float64Array[]; pairs: Float64Array } {
  const index = new Int8Array(128).fill(-1)
  for (let i = 0; i < ALPHABET.length; i++) index[ALPHABET.charCodeAt(i)] = i
  const symbols = new Float64Array(36)
  const positions = Array.from({ length: LENGTH }, () => new Float64Array(36))
  const pairs = new Float64Array(36 * 36)
  for (const key of keys) {
    let previous = -1
    for (let p = 0; p < LENGTH; p++) {
      const s = index[key.charCodeAt(p)]!
      symbols[s]!++
      positions[p]![s]!++
      if (previous >= 0) pairs[previous * 36 + s]!++
      previous = s
    }
  }
  return { symbols, positions, pairs }
}

/** The largest χ² of the three views, each divided by its critical value: < 1 means "looks uniform". */
function worstRatio(keys: readonly string[]): number {
  const { symbols, positions, pairs } = tally(keys)
  return Math.max(
    chiSquare(symbols) / critical(35),
    ...positions.map((counts) => chiSquare(counts) / critical(35)),
    chiSquare(pairs) / critical(36 * 36 - 1),
  )
}

describe('T11: session keys at scale', () => {
  it('1 000 000 keys: all distinct, all 32 × [a-z0-9], and uniform by χ² per symbol, per position and per adjacent pair', () => {
    const keys = new Array<string>(KEYS)
    for (let i = 0; i < KEYS; i++) keys[i] = generateSessionKey()
    expect(new Set(keys).size).toBe(KEYS)
    expect(keys.every((key) => /^[a-z0-9]{32}$/.test(key))).toBe(true)
    expect(worstRatio(keys)).toBeLessThan(1)
  }, 120_000)

  it('the same check rejects a key source with modulo bias (bytes % 36 without rejection sampling)', () => {
    const bytes = new Uint8Array(LENGTH)
    const keys = new Array<string>(200_000)
    for (let i = 0; i < keys.length; i++) {
      crypto.getRandomValues(bytes)
      let key = ''
      for (const byte of bytes) key += ALPHABET[byte % 36]
      keys[i] = key
    }
    expect(worstRatio(keys)).toBeGreaterThan(1)
  })
})
