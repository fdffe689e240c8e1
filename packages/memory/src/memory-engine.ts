import { SessionError, type DestroyUserOptions, type EngineStats, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { LRUCache } from 'lru-cache'
import { keyDigest } from './key-digest.js'
import { resolveMemoryOptions, type MemoryEngineOptions } from './options.js'
import { createUserIndex } from './user-index.js'

/** What the cache holds for one session: plain values, never the caller's objects. */
interface Entry {
  payload: string
  /** Milliseconds since the epoch. */
  expiresAt: number
  version: number
  /** The signed-in user (`record.userId`): the entry is then filed under it in the user index. */
  userId: string | undefined
  handle: string | undefined
}

/**
 * The byte estimate of one record: the UTF-16 payload, the UTF-16 digest the cache is keyed by, and a fixed overhead
 * for the entry and the cache slot; a signed-in record adds its UTF-16 user id and handle and its user-index entry.
 */
export function recordSize(payload: string, userId?: string): number {
  const base = payload.length * 2 + DIGEST_LENGTH * 2 + ENTRY_OVERHEAD
  return userId === undefined ? base : base + userId.length * 2 + HANDLE_LENGTH * 2 + INDEX_OVERHEAD
}

const ENTRY_OVERHEAD = 96
/** A session handle: 16 base64url characters. */
const HANDLE_LENGTH = 16
/** A user-index entry: a slot in the user's `Set` (and the user's `Map` slot, shared by their sessions). */
const INDEX_OVERHEAD = 64
/** A SHA-256 in base64. */
const DIGEST_LENGTH = 44

/** Reused so lru-cache's `get` does not allocate an options object per call. */
const GET_OPTIONS = {}

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
 * the SHA-256 of each session key, never the key. Sessions live in this process only: other processes do not
 * see them and a restart loses them. With the user index (`listUser`/`destroyUser`): a map from user id to the
 * digests of the user's records, kept in step with every write, eviction and expiry.
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
  const cache = new LRUCache<string, Entry>({
    max,
    maxSize,
    sizeCalculation: (entry) => recordSize(entry.payload, entry.userId),
    // Every way an entry leaves the cache — delete (destroy, expiry, purge, sweep, dispose) and eviction — takes its
    // index entry with it. A replacement (`set` over an entry) is indexed by `update` itself.
    dispose: (entry, id, reason) => {
      if (reason !== 'set' && entry.userId !== undefined) index.remove(entry.userId, id)
    },
  })

  const fits = (payload: string, userId: string | undefined): void => {
    const size = recordSize(payload, userId)
    if (size > maxSize) {
      throw new SessionError('DATA', 'memory', `a session of about ${size} bytes does not fit maxSize (${maxSize} bytes)`)
    }
  }

  const purge = (limit: number): number => {
    const expired: string[] = []
    for (const [id, entry] of cache.entries()) if (entry.expiresAt <= limit) expired.push(id)
    for (const id of expired) cache.delete(id)
    return expired.length
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
      return cache.size
    },
    get indexSize() {
      return index.size
    },
    get calculatedSize() {
      return cache.calculatedSize
    },

    async read(key, now) {
      const id = keyDigest(key)
      const entry = cache.get(id, GET_OPTIONS)
      if (entry === undefined) return null
      if (entry.expiresAt <= now.getTime()) {
        cache.delete(id)
        return null
      }
      return toRecord(entry)
    },

    async create(key, record) {
      const id = keyDigest(key)
      if (cache.has(id)) throw new SessionError('KEY_CONFLICT', 'memory', 'a session with this key exists')
      const entry = toEntry(record)
      fits(entry.payload, entry.userId)
      cache.set(id, entry)
      if (entry.userId !== undefined && cache.has(id)) index.add(entry.userId, id)
    },

    async update(key, record, ifVersion) {
      const id = keyDigest(key)
      const entry = cache.get(id, GET_OPTIONS)
      if (entry === undefined) throw new SessionError('NOT_FOUND', 'memory', 'the session no longer exists')
      if (ifVersion !== undefined && entry.version !== ifVersion) {
        throw new SessionError(
          'VERSION_CONFLICT',
          'memory',
          `the session changed meanwhile (stored version ${entry.version}, expected ${ifVersion})`,
        )
      }
      const next = toEntry(record)
      if (next.payload.length === entry.payload.length && next.userId === entry.userId) {
        // Same size, same user: `get` already made it the most recently used; rewrite in place, no allocation.
        entry.payload = next.payload
        entry.expiresAt = next.expiresAt
        entry.version = next.version
        entry.handle = next.handle
        return
      }
      fits(next.payload, next.userId)
      // A new object so lru-cache recomputes the size (it skips that when the same value is set again).
      cache.set(id, next)
      if (entry.userId !== next.userId) {
        if (entry.userId !== undefined) index.remove(entry.userId, id)
        if (next.userId !== undefined && cache.has(id)) index.add(next.userId, id)
      }
    },

    async destroy(key) {
      cache.delete(keyDigest(key))
    },

    async touch(key, expiresAt) {
      const entry = cache.get(keyDigest(key), GET_OPTIONS)
      if (entry !== undefined) entry.expiresAt = expiresAt.getTime()
    },

    async purgeExpired(now) {
      return purge(now.getTime())
    },

    async listUser(userId, now) {
      const out: SessionRecord[] = []
      for (const id of index.ids(userId)) {
        const entry = cache.peek(id) // a listing does not make a session recently used
        if (entry === undefined || entry.userId !== userId)
          index.remove(userId, id) // never expected: heal
        else if (entry.expiresAt <= now.getTime())
          cache.delete(id) // expired: gone, like a read of it
        else out.push(toRecord(entry))
      }
      return out
    },

    async destroyUser(userId, options = {}) {
      const { handle, exceptHandle } = options
      let removed = 0
      for (const id of index.ids(userId)) {
        const entry = cache.peek(id)
        if (entry === undefined || entry.userId !== userId) {
          index.remove(userId, id)
          continue
        }
        if (handle !== undefined && entry.handle !== handle) continue
        if (exceptHandle !== undefined && entry.handle === exceptHandle) continue
        if (cache.delete(id)) removed++
      }
      return removed
    },

    async stats(now) {
      const at = now.getTime()
      let sessions = 0
      let signedIn = 0
      let bytes = 0
      let earliest = Number.POSITIVE_INFINITY
      let latest = Number.NEGATIVE_INFINITY
      for (const entry of cache.values()) {
        if (entry.expiresAt <= at) continue
        sessions++
        if (entry.userId !== undefined) signedIn++
        bytes += recordSize(entry.payload, entry.userId)
        if (entry.expiresAt < earliest) earliest = entry.expiresAt
        if (entry.expiresAt > latest) latest = entry.expiresAt
      }
      const none = sessions === 0
      return { sessions, earliestExpiry: none ? null : new Date(earliest), latestExpiry: none ? null : new Date(latest), bytes, signedIn }
    },

    async dispose() {
      if (sweeper !== undefined) clearInterval(sweeper)
      sweeper = undefined
      cache.clear()
      index.clear()
    },
  }
}

function toEntry(record: SessionRecord): Entry {
  const userId = typeof record.userId === 'string' ? record.userId : undefined
  return {
    payload: record.payload,
    expiresAt: record.expiresAt.getTime(),
    version: record.version,
    userId,
    handle: userId === undefined ? undefined : record.handle,
  }
}

function toRecord(entry: Entry): SessionRecord {
  const record: SessionRecord = { payload: entry.payload, expiresAt: new Date(entry.expiresAt), version: entry.version }
  if (entry.userId !== undefined) {
    record.userId = entry.userId
    if (entry.handle !== undefined) record.handle = entry.handle
  }
  return record
}
