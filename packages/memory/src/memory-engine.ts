import { SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { LRUCache } from 'lru-cache'
import { resolveMemoryOptions, type MemoryEngineOptions } from './options.js'

/** What the cache holds for one session: plain values, never the caller's objects. */
interface Entry {
  payload: string
  /** Milliseconds since the epoch. */
  expiresAt: number
  version: number
}

/** The byte estimate of one record: UTF-16 payload and key plus a fixed overhead for the entry and the cache slot. */
export function recordSize(key: string, payload: string): number {
  return payload.length * 2 + key.length * 2 + ENTRY_OVERHEAD
}

const ENTRY_OVERHEAD = 96

/** Reused so lru-cache's `get` does not allocate an options object per call. */
const GET_OPTIONS = {}

/** The memory engine: {@link SessionEngine} plus how many sessions it holds. */
export interface MemoryEngine extends SessionEngine {
  /** The number of records held, expired-but-not-yet-purged ones included. */
  readonly size: number
  /** The approximate bytes held (0 unless `maxSize` is set). */
  readonly calculatedSize: number
  touch(key: string, expiresAt: Date): Promise<void>
  purgeExpired(now: Date): Promise<number>
  dispose(): Promise<void>
}

/**
 * A bounded, in-process session engine (Django's "cache" backend on locmem): an LRU of at most `max`
 * sessions and, optionally, `maxSize` bytes. Expiry is decided by the `now` core passes, never by a
 * clock. Sessions live in this process only: other processes do not see them and a restart loses them.
 *
 * @example
 * ```ts
 * import { createSessions } from '@sess/core'
 * import { memoryEngine } from '@sess/memory'
 * const sessions = createSessions({ engine: memoryEngine({ max: 50_000 }) })
 * ```
 */
export function memoryEngine(options?: MemoryEngineOptions): MemoryEngine {
  const { max, maxSize } = resolveMemoryOptions(options)
  const cache: LRUCache<string, Entry> =
    maxSize === undefined
      ? new LRUCache<string, Entry>({ max })
      : new LRUCache<string, Entry>({ max, maxSize, sizeCalculation: (entry, key) => recordSize(key, entry.payload) })

  const fits = (key: string, payload: string): void => {
    if (maxSize === undefined) return
    const size = recordSize(key, payload)
    if (size > maxSize) {
      throw new SessionError('DATA', 'memory', `a session of about ${size} bytes does not fit maxSize (${maxSize} bytes)`)
    }
  }

  return {
    name: 'memory',
    capabilities: { durable: false, touch: true, purge: true },
    get size() {
      return cache.size
    },
    get calculatedSize() {
      return cache.calculatedSize
    },

    async read(key, now) {
      const entry = cache.get(key, GET_OPTIONS)
      if (entry === undefined) return null
      if (entry.expiresAt <= now.getTime()) {
        cache.delete(key)
        return null
      }
      return { payload: entry.payload, expiresAt: new Date(entry.expiresAt), version: entry.version }
    },

    async create(key, record) {
      if (cache.has(key)) throw new SessionError('KEY_CONFLICT', 'memory', 'a session with this key exists')
      fits(key, record.payload)
      cache.set(key, toEntry(record))
    },

    async update(key, record, ifVersion) {
      const entry = cache.get(key, GET_OPTIONS)
      if (entry === undefined) throw new SessionError('NOT_FOUND', 'memory', 'the session no longer exists')
      if (ifVersion !== undefined && entry.version !== ifVersion) {
        throw new SessionError(
          'VERSION_CONFLICT',
          'memory',
          `the session changed meanwhile (stored version ${entry.version}, expected ${ifVersion})`,
        )
      }
      if (maxSize === undefined) {
        // `get` already made it the most recently used; rewrite in place, no allocation.
        entry.payload = record.payload
        entry.expiresAt = record.expiresAt.getTime()
        entry.version = record.version
        return
      }
      fits(key, record.payload)
      // A new object so lru-cache recomputes the size (it skips that when the same value is set again).
      cache.set(key, toEntry(record))
    },

    async destroy(key) {
      cache.delete(key)
    },

    async touch(key, expiresAt) {
      const entry = cache.get(key, GET_OPTIONS)
      if (entry !== undefined) entry.expiresAt = expiresAt.getTime()
    },

    async purgeExpired(now) {
      const limit = now.getTime()
      const expired: string[] = []
      for (const [key, entry] of cache.entries()) if (entry.expiresAt <= limit) expired.push(key)
      for (const key of expired) cache.delete(key)
      return expired.length
    },

    async dispose() {
      cache.clear()
    },
  }
}

function toEntry(record: SessionRecord): Entry {
  return { payload: record.payload, expiresAt: record.expiresAt.getTime(), version: record.version }
}
