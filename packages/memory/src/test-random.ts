/** A small seeded PRNG (mulberry32) for the memory engine's randomized tests, so a failing run can be replayed by its number. */
export function mulberry32(seed: number): () => number {
  let a = seed + 0x9e3779b9
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
