import { SessionError, type DestroyUserOptions, type EngineStats, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { flatString } from './flat-string.js'
import { keyDigest, newKeyDigest } from './key-digest.js'
import { resolveMemoryOptions, type MemoryEngineOptions } from './options.js'
import { NONE, RecordTable } from './record-table.js'
import { createUserIndex } from './user-index.js'

/**
 * The byte estimate of one record, counted against `maxSize`: the payload as UTF-16 and a fixed 184 bytes for its
 * digest and slot (an overestimate: a small record takes about 140 bytes of memory besides its payload, and an ASCII
 * payload one byte a character); a signed-in record adds its UTF-16 user id and handle and its user-index entry.
 */
export function recordSize(payload: string, userId?: string): number {
  const base = payload.length * 2 + RECORD_OVERHEAD
  return userId === undefined ? base : base + userId.length * 2 + HANDLE_LENGTH * 2 + INDEX_OVERHEAD
}

/** The estimate's fixed part per record (unchanged from when the cache was keyed by a 44-character digest: 44 × 2 + 96). */
const RECORD_OVERHEAD = 184
/** A session handle: 16 base64url characters. */
const HANDLE_LENGTH = 16
/** A user-index entry: a slot in the user's `Set` (and the user's `Map` slot, shared by their sessions). */
const INDEX_OVERHEAD = 64

/** The memory engine: {@link SessionEngine} plus how many sessions it holds. */
export interface MemoryEngine extends SessionEngine {
  /** The number of records held, expired-but-not-yet-purged ones included. */
  readonly size: number
  /** The approximate bytes held, by {@link recordSize}. */
  readonly calculatedSize: number
  /** How many users and entries the user index holds: entries equal the signed-in records held, expired ones included. */
  readonly indexSize: { readonly users: number; readonly entries: number }
  touch(key: string, expiresAt: Date): Promise<void>
  purgeExpired(now: Date): Promise<number>
  listUser(userId: string, now: Date): Promise<SessionRecord[]>
  destroyUser(userId: string, options?: DestroyUserOptions): Promise<number>
  stats(now: Date): Promise<EngineStats>
  dispose(): Promise<void>
}

/**
 * A bounded, in-process session engine (Django's "cache" backend on locmem): an LRU of at most `max`
 * sessions and `maxSize` bytes (default 10 000 and 64 MiB). Reads decide expiry by the `now` core passes; a
 * sweep every `sweepInterval` (an `unref`'d timer) deletes expired sessions nobody reads. The cache is keyed by
 * a 128-bit SHA-256 digest of each session key, never the key. Sessions live in this process only: other processes
 * do not see them and a restart loses them. With the user index (`listUser`/`destroyUser`): a map from user id to
 * the slots of the user's records, kept in step with every write, eviction and expiry.
 *
 * @example
 * ```ts
 * import { createSessions } from '@sess/core'
 * import { memoryEngine } from '@sess/memory'
 * const sessions = createSessions({ engine: memoryEngine({ max: 50_000 }) })
 * ```
 */
export function memoryEngine(options?: MemoryEngineOptions): MemoryEngine {
  const { max, maxSize, sweepInterval, clock } = resolveMemoryOptions(options)
  const index = createUserIndex()
  let table = new RecordTable(max)
  /** The bytes held, by {@link recordSize}. */
  let bytes = 0
  /** Scratch for the digest of the key at hand: every operation hashes once, synchronously, before any other. */
  const digest = newKeyDigest()
  const find = (key: string): number => table.find(keyDigest(key, digest))

  const sizeOf = (payload: string, userId: string | undefined): number => {
    const size = recordSize(payload, userId)
    if (size > maxSize) {
      throw new SessionError('DATA', 'memory', `a session of about ${size} bytes does not fit maxSize (${maxSize} bytes)`)
    }
    return size
  }

  /** Removes a record with its index entry: the one way out (destroy, expiry, purge, sweep, eviction). */
  const drop = (slot: number): void => {
    const user = table.users[slot]
    bytes -= recordSize(table.payloads[slot]!, user?.id)
    if (user !== undefined) index.remove(user.id, slot)
    table.delete(slot)
  }

  /** Evicts the least recently used records, never `keep`, while the bytes held exceed `maxSize`. */
  const evictOverSize = (keep: number): void => {
    while (bytes > maxSize && table.head !== keep && table.head !== NONE) drop(table.head)
  }

  const purge = (limit: number): number => {
    let removed = 0
    for (let slot = table.tail; slot !== NONE; ) {
      const older = table.olderThan(slot)
      if (table.expires[slot]! <= limit) {
        drop(slot)
        removed++
      }
      slot = older
    }
    return removed
  }

  const toRecord = (slot: number): SessionRecord => {
    const record: SessionRecord = {
      payload: table.payloads[slot]!,
      expiresAt: new Date(table.expires[slot]!),
      version: table.versions[slot]!,
    }
    const user = table.users[slot]
    if (user !== undefined) {
      record.userId = user.id
      if (user.handle !== undefined) record.handle = user.handle
    }
    return record
  }

  let sweeper: ReturnType<typeof setInterval> | undefined
  if (sweepInterval !== null) {
    sweeper = setInterval(() => purge(clock()), sweepInterval)
    // Never keeps the process alive (Node, Bun, Deno; elsewhere timers do not hold a process).
    ;(sweeper as { unref?: () => void }).unref?.()
  }

  return {
    name: 'memory',
    capabilities: { durable: false, touch: true, purge: true, userIndex: true },
    get size() {
      return table.size
    },
    get indexSize() {
      return index.size
    },
    get calculatedSize() {
      return bytes
    },

    async read(key, now) {
      const slot = find(key)
      if (slot === NONE) return null
      if (table.expires[slot]! <= now.getTime()) {
        drop(slot)
        return null
      }
      table.promote(slot)
      return toRecord(slot)
    },

    async create(key, record) {
      keyDigest(key, digest)
      if (table.find(digest) !== NONE) throw new SessionError('KEY_CONFLICT', 'memory', 'a session with this key exists')
      const userId = userOf(record)
      const payload = flatString(record.payload)
      const expiresAt = record.expiresAt.getTime()
      const size = sizeOf(payload, userId)
      // Room for one more record of `size` bytes, least recently used first (evicting hashes nothing: `digest` stays).
      while (table.head !== NONE && (table.size >= max || bytes + size > maxSize)) drop(table.head)
      const user = userId === undefined ? undefined : { id: userId, handle: record.handle }
      const slot = table.add(digest, payload, expiresAt, record.version, user)
      bytes += size
      if (userId !== undefined) index.add(userId, slot)
    },

    async update(key, record, ifVersion) {
      const slot = find(key)
      if (slot === NONE) throw new SessionError('NOT_FOUND', 'memory', 'the session no longer exists')
      table.promote(slot)
      const version = table.versions[slot]!
      if (ifVersion !== undefined && version !== ifVersion) {
        throw new SessionError(
          'VERSION_CONFLICT',
          'memory',
          `the session changed meanwhile (stored version ${version}, expected ${ifVersion})`,
        )
      }
      const userId = userOf(record)
      const payload = flatString(record.payload)
      const expiresAt = record.expiresAt.getTime()
      const size = sizeOf(payload, userId)
      const old = table.users[slot]
      const before = recordSize(table.payloads[slot]!, old?.id)
      table.payloads[slot] = payload
      table.expires[slot] = expiresAt
      table.versions[slot] = record.version
      if (old?.id === userId) {
        if (old !== undefined) old.handle = record.handle
      } else {
        // The record moves to another user or signs out: its index entry moves or goes.
        if (old !== undefined) index.remove(old.id, slot)
        table.users[slot] = userId === undefined ? undefined : { id: userId, handle: record.handle }
        if (userId !== undefined) index.add(userId, slot)
      }
      bytes += size - before
      evictOverSize(slot)
    },

    async destroy(key) {
      const slot = find(key)
      if (slot !== NONE) drop(slot)
    },

    async touch(key, expiresAt) {
      const slot = find(key)
      if (slot === NONE) return
      table.promote(slot)
      table.expires[slot] = expiresAt.getTime()
    },

    async purgeExpired(now) {
      return purge(now.getTime())
    },

    async listUser(userId, now) {
      const out: SessionRecord[] = []
      for (const slot of index.ids(userId)) {
        if (table.users[slot]?.id !== userId)
          index.remove(userId, slot) // never expected: heal
        else if (table.expires[slot]! <= now.getTime())
          drop(slot) // expired: gone, like a read of it
        else out.push(toRecord(slot)) // a listing does not make a session recently used
      }
      return out
    },

    async destroyUser(userId, options = {}) {
      const { handle, exceptHandle } = options
      let removed = 0
      for (const slot of index.ids(userId)) {
        const user = table.users[slot]
        if (user?.id !== userId) {
          index.remove(userId, slot)
          continue
        }
        if (handle !== undefined && user.handle !== handle) continue
        if (exceptHandle !== undefined && user.handle === exceptHandle) continue
        drop(slot)
        removed++
      }
      return removed
    },

    async stats(now) {
      const at = now.getTime()
      let sessions = 0
      let signedIn = 0
      let held = 0
      let earliest = Number.POSITIVE_INFINITY
      let latest = Number.NEGATIVE_INFINITY
      for (let slot = table.tail; slot !== NONE; slot = table.olderThan(slot)) {
        const expiresAt = table.expires[slot]!
        if (expiresAt <= at) continue
        const user = table.users[slot]
        sessions++
        if (user !== undefined) signedIn++
        held += recordSize(table.payloads[slot]!, user?.id)
        if (expiresAt < earliest) earliest = expiresAt
        if (expiresAt > latest) latest = expiresAt
      }
      const none = sessions === 0
      return {
        sessions,
        earliestExpiry: none ? null : new Date(earliest),
        latestExpiry: none ? null : new Date(latest),
        bytes: held,
        signedIn,
      }
    },

    async dispose() {
      if (sweeper !== undefined) clearInterval(sweeper)
      sweeper = undefined
      table = new RecordTable(max)
      bytes = 0
      index.clear()
    },
  }
}

/** The record's user id when it is signed in (`userId` a string), else `undefined`. */
function userOf(record: SessionRecord): string | undefined {
  return typeof record.userId === 'string' ? record.userId : undefined
}
