/** Buckets of a new table: enough for the keys of the saves in flight of a busy process without growing. */
const MIN_BUCKETS = 64

/**
 * A map from session keys to values for the keys in use right now, that allocates nothing once it has grown to the
 * number of keys in use at once. Open addressing with linear probing, kept at most half full, backward-shift deletion
 * (no tombstones); the buckets only grow.
 *
 * Why not a `Map`: a `Map` whose entries come and go on every request rebuilds its hash table every few deletions
 * (to shrink it, or to drop the deleted entries), and once the map is old V8 builds each new table straight in the
 * old generation. For the per-key save queues that was ≈1.8 MB of old-generation garbage per 100 000 saves (the top
 * allocation site of a `/hit` server), paid for in major collections and page faults. A deleted key's bucket is
 * cleared at once, so no key stays in the heap after it leaves the table.
 */
export class KeyTable<V> {
  private keys: Array<string | undefined> = new Array(MIN_BUCKETS).fill(undefined)
  private values: Array<V | undefined> = new Array(MIN_BUCKETS).fill(undefined)
  private mask = MIN_BUCKETS - 1
  private size = 0

  /** The value of `key`, or `undefined`. */
  get(key: string): V | undefined {
    const { keys, mask } = this
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const held = keys[i]
      if (held === undefined) return undefined
      if (held === key) return this.values[i]
    }
  }

  /** Sets the value of `key` (added, or replaced). */
  set(key: string, value: V): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow()
    const { keys, mask } = this
    let i = hash(key) & mask
    for (; keys[i] !== undefined; i = (i + 1) & mask) {
      if (keys[i] === key) {
        this.values[i] = value
        return
      }
    }
    keys[i] = key
    this.values[i] = value
    this.size++
  }

  /** Removes `key`; nothing happens when it is absent. */
  delete(key: string): void {
    const { keys, values, mask } = this
    let hole = hash(key) & mask
    for (; keys[hole] !== key; hole = (hole + 1) & mask) if (keys[hole] === undefined) return
    // Backward shift: move each later key of the probe run whose home is not after the hole into it.
    for (let i = (hole + 1) & mask; keys[i] !== undefined; i = (i + 1) & mask) {
      const home = hash(keys[i]!) & mask
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        keys[hole] = keys[i]
        values[hole] = values[i]
        hole = i
      }
    }
    keys[hole] = undefined
    values[hole] = undefined
    this.size--
  }

  private grow(): void {
    const { keys, values } = this
    this.keys = new Array(keys.length * 2).fill(undefined)
    this.values = new Array(keys.length * 2).fill(undefined)
    this.mask = this.keys.length - 1
    this.size = 0
    for (let i = 0; i < keys.length; i++) if (keys[i] !== undefined) this.set(keys[i]!, values[i]!)
  }
}

/** Characters of a key the hash reads: 8 random characters of 36 are 41 bits, far more than a table's buckets. */
const HASHED_CHARS = 8

/**
 * A 32-bit hash of a key's first {@link HASHED_CHARS} characters (FNV-1a). Keys are random (`generateSessionKey`)
 * and only keys of stored or freshly made sessions reach the table, so a visitor cannot pick keys that collide, and
 * the rest of a key adds nothing to the spread (a hash over all 32 characters cost three times as much per save).
 */
function hash(key: string): number {
  const n = Math.min(key.length, HASHED_CHARS)
  let h = 0x811c9dc5
  for (let i = 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return h >>> 0
}
