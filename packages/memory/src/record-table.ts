import { DIGEST_WORDS, type KeyDigest } from './key-digest.js'

/** The user of a signed-in record (`record.userId`, `record.handle`). Owned by the table; the handle may be rewritten. */
export interface SlotUser {
  readonly id: string
  handle: string | undefined
}

/** No slot: what {@link RecordTable.find} returns for an unknown digest, and the end of the recency list. */
export const NONE = -1
/** Slots allocated by a new table (fewer when `limit` is smaller). */
const MIN_SLOTS = 16

/**
 * The memory engine's storage: up to `limit` records in numbered slots, keyed by a 128-bit key digest and kept in
 * least-recently-used order. A struct of arrays, so a record costs its payload string and about 56 bytes of array
 * slots (digest, expiry, version, recency links in typed arrays; payload and user in two arrays) and nothing else:
 * no entry object, boxed number or key string. The digests are indexed by an open-addressing hash table of slot
 * numbers (linear probing from the digest's first word, kept at most half full, backward-shift deletion: no
 * tombstones). As records are added the slot arrays grow by half (up to `limit`) and the table doubles; neither
 * shrinks, so reads and rewrites allocate nothing. The table decides nothing: the engine says what to add, promote and delete.
 */
export class RecordTable {
  /** Live records. */
  size = 0
  /** The least recently used slot, or {@link NONE}. */
  head = NONE
  /** The most recently used slot, or {@link NONE}. */
  tail = NONE
  /** Each slot's payload; `undefined` marks a free slot. The engine reads and writes it directly. */
  payloads: (string | undefined)[]
  /** Each slot's user, `undefined` for an anonymous record. */
  users: (SlotUser | undefined)[]
  /** Each slot's expiry, ms since the epoch. */
  expires: Float64Array
  /** Each slot's version. */
  versions: Float64Array
  private digests: Int32Array
  /** Recency links: towards the least recently used. */
  private older: Int32Array
  /** Recency links: towards the most recently used; the free list's links for free slots. */
  private newer: Int32Array
  private free = NONE
  /** Slots `[0, used)` have been handed out at least once. */
  private used = 0
  /** slot + 1 per bucket; 0 for an empty bucket. */
  private buckets: Int32Array
  private mask: number
  private readonly limit: number

  /** An empty table for at most `limit` records. */
  constructor(limit: number) {
    this.limit = limit
    const slots = Math.min(limit, MIN_SLOTS)
    this.payloads = new Array(slots)
    this.users = new Array(slots)
    this.expires = new Float64Array(slots)
    this.versions = new Float64Array(slots)
    this.digests = new Int32Array(slots * DIGEST_WORDS)
    this.older = new Int32Array(slots)
    this.newer = new Int32Array(slots)
    this.buckets = new Int32Array(MIN_SLOTS * 2)
    this.mask = this.buckets.length - 1
  }

  /** The slot of the record keyed by `digest`, or {@link NONE}. */
  find(digest: KeyDigest): number {
    const { buckets, digests, mask } = this
    const d0 = digest[0]!
    const d1 = digest[1]!
    const d2 = digest[2]!
    const d3 = digest[3]!
    for (let i = d0 & mask; ; i = (i + 1) & mask) {
      const bucket = buckets[i]!
      if (bucket === 0) return NONE
      const w = (bucket - 1) * DIGEST_WORDS
      if (digests[w] === d0 && digests[w + 1] === d1 && digests[w + 2] === d2 && digests[w + 3] === d3) return bucket - 1
    }
  }

  /**
   * Stores a record under `digest` (which must not be held) as the most recently used, and returns its slot. The
   * caller makes room first: throws when the table already holds `limit` records.
   */
  add(digest: KeyDigest, payload: string, expiresAt: number, version: number, user: SlotUser | undefined): number {
    if (this.size >= this.limit) throw new Error('@sess/memory: the record table is full')
    if ((this.size + 1) * 2 > this.buckets.length) this.rehash(this.buckets.length * 2)
    let slot = this.free
    if (slot !== NONE) this.free = this.newer[slot]!
    else {
      if (this.used === this.expires.length) this.grow()
      slot = this.used++
    }
    this.digests.set(digest, slot * DIGEST_WORDS)
    this.payloads[slot] = payload
    this.users[slot] = user
    this.expires[slot] = expiresAt
    this.versions[slot] = version
    this.link(slot)
    this.place(slot)
    this.size++
    return slot
  }

  /** Makes a held slot the most recently used. */
  promote(slot: number): void {
    if (slot === this.tail) return
    this.unlink(slot)
    this.link(slot)
  }

  /** The next less recently used slot than `slot`, or {@link NONE}: walk from {@link tail} to visit every record. */
  olderThan(slot: number): number {
    return this.older[slot]!
  }

  /** Removes a held slot's record (the slot is reused by a later {@link add}). */
  delete(slot: number): void {
    const { buckets, digests, mask } = this
    let hole = digests[slot * DIGEST_WORDS]! & mask
    while (buckets[hole] !== slot + 1) {
      if (buckets[hole] === 0) throw new Error(`@sess/memory: slot ${slot} is not held`)
      hole = (hole + 1) & mask
    }
    // Backward shift: move each later entry of the probe run whose home is not after the hole into it.
    for (let i = (hole + 1) & mask; buckets[i] !== 0; i = (i + 1) & mask) {
      const bucket = buckets[i]!
      const home = digests[(bucket - 1) * DIGEST_WORDS]! & mask
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        buckets[hole] = bucket
        hole = i
      }
    }
    buckets[hole] = 0
    this.unlink(slot)
    this.payloads[slot] = undefined
    this.users[slot] = undefined
    this.newer[slot] = this.free
    this.free = slot
    this.size--
  }

  private place(slot: number): void {
    const { buckets, mask } = this
    let i = this.digests[slot * DIGEST_WORDS]! & mask
    while (buckets[i] !== 0) i = (i + 1) & mask
    buckets[i] = slot + 1
  }

  private rehash(length: number): void {
    this.buckets = new Int32Array(length)
    this.mask = length - 1
    for (let slot = 0; slot < this.used; slot++) if (this.payloads[slot] !== undefined) this.place(slot)
  }

  /** Grows the slot arrays by half, up to `limit`. */
  private grow(): void {
    const slots = Math.min(this.limit, Math.ceil(this.expires.length * 1.5))
    const payloads = new Array<string | undefined>(slots)
    const users = new Array<SlotUser | undefined>(slots)
    for (let i = 0; i < this.used; i++) {
      payloads[i] = this.payloads[i]
      users[i] = this.users[i]
    }
    this.payloads = payloads
    this.users = users
    this.expires = widen(this.expires, new Float64Array(slots))
    this.versions = widen(this.versions, new Float64Array(slots))
    this.digests = widen(this.digests, new Int32Array(slots * DIGEST_WORDS))
    this.older = widen(this.older, new Int32Array(slots))
    this.newer = widen(this.newer, new Int32Array(slots))
  }

  private link(slot: number): void {
    this.older[slot] = this.tail
    this.newer[slot] = NONE
    if (this.tail === NONE) this.head = slot
    else this.newer[this.tail] = slot
    this.tail = slot
  }

  private unlink(slot: number): void {
    const older = this.older[slot]!
    const newer = this.newer[slot]!
    if (older === NONE) this.head = newer
    else this.newer[older] = newer
    if (newer === NONE) this.tail = older
    else this.older[newer] = older
  }
}

function widen<T extends Float64Array | Int32Array>(from: T, to: T): T {
  to.set(from)
  return to
}
