import { describe, expect, it } from 'vitest'
import { KeyTable } from './key-table.js'
import { generateSessionKey } from './keys.js'

/** A seeded generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('KeyTable', () => {
  it('answers like a Map through 200 000 random sets, replacements and deletions, growing past its first buckets', () => {
    const next = random(15)
    const keys = Array.from({ length: 600 }, () => generateSessionKey())
    const table = new KeyTable<number>()
    const model = new Map<string, number>()
    for (let step = 0; step < 200_000; step++) {
      // A working set that swells to all 600 keys and shrinks back, so probe runs form, shift and empty again.
      const span = 1 + Math.floor((keys.length - 1) * Math.abs(Math.sin(step / 20_000)))
      const key = keys[Math.floor(next() * span)]!
      const op = next()
      if (op < 0.45) {
        table.set(key, step)
        model.set(key, step)
      } else if (op < 0.9) {
        table.delete(key)
        model.delete(key)
      }
      expect(table.get(key)).toBe(model.get(key))
      if (step % 5_000 === 0) for (const k of keys) expect(table.get(k)).toBe(model.get(k))
    }
  })

  it('stays exact when keys share their hashed prefix: long probe runs, shifted back on deletion', () => {
    const next = random(7)
    // Two prefixes only: every key lands in one of two buckets, its run spanning dozens of them.
    const keys = Array.from({ length: 80 }, (_, i) => (i % 2 === 0 ? 'aaaaaaaa' : 'bbbbbbbb') + generateSessionKey().slice(8))
    const table = new KeyTable<number>()
    const model = new Map<string, number>()
    for (let step = 0; step < 5_000; step++) {
      const key = keys[Math.floor(next() * keys.length)]!
      if (next() < 0.5) {
        table.set(key, step)
        model.set(key, step)
      } else {
        table.delete(key)
        model.delete(key)
      }
      expect(table.get(key)).toBe(model.get(key))
      if (step % 50 === 0) expect(keys.map((k) => table.get(k))).toEqual(keys.map((k) => model.get(k)))
    }
  })

  it('deleting an absent key changes nothing, and a deleted key is gone', () => {
    const table = new KeyTable<string>()
    table.delete('nothing')
    table.set('a', 'x')
    table.set('b', 'y')
    table.delete('a')
    table.delete('a')
    expect([table.get('a'), table.get('b')]).toEqual([undefined, 'y'])
  })
})
