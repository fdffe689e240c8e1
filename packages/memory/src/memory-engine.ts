import { SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { LRUCache } from 'lru-cache'
import { keyDigest } from './key-digest.js'
import { resolveMemoryOptions, type MemoryEngineOptions } from './options.js'

/** What the cache holds for one session: plain values, never the caller's objects. */
interface Entry {
  payload: string
  /** Milliseconds since the epoch. */
  expiresAt: number
  version: number
}

/**
 * The byte estimate of one record: the UTF-16 payload, the UTF-16 digest the cache is keyed by, and a fixed overhead
 * for the entry and the cache slot.
 */
export function recordSize(payload: string): number {
  return payload.length * 2 + DIGEST_LENGTH * 2 + ENTRY_OVERHEAD
}

const ENTRY_OVERHEAD = 96
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
  touch(key: string, expiresAt: Date): Promise<void>
  purgeExpired(now: Date): Promise<number>
  dispose(): Promise<void>
}

/**
 * A bounded, in-process session engine (Django's "cache" backend on locmem): an LRU of at most `max`
 * sessions and `maxSize` bytes (default 10 000 and 64 MiB). Reads decide expiry by the `now` core passes; a
 * sweep every `sweepInterval` (an `unref`'d timer) deletes expired sessions nobody reads. The cache is keyed by
 * the SHA-256 of each session key, never the key. Sessions live in this process only: other processes do not
 * see them and a restart loses them.
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
  const cache = new LRUCache<string, Entry>({ max, maxSize, sizeCalculation: (entry) => recordSize(entry.payload) })

  const fits = (payload: string): void => {
    const size = recordSize(payload)
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
    capabilities: { durable: false, touch: true, purge: true },
    get size() {
      return cache.size
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
      return { payload: entry.payload, expiresAt: new Date(entry.expiresAt), version: entry.version }
    },

    async create(key, record) {
      const id = keyDigest(key)
      if (cache.has(id)) throw new SessionError('KEY_CONFLICT', 'memory', 'a session with this key exists')
      fits(record.payload)
      cache.set(id, toEntry(record))
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
      if (record.payload.length === entry.payload.length) {
        // Same size: `get` already made it the most recently used; rewrite in place, no allocation.
        entry.payload = record.payload
        entry.expiresAt = record.expiresAt.getTime()
        entry.version = record.version
        return
      }
      fits(record.payload)
      // A new object so lru-cache recomputes the size (it skips that when the same value is set again).
      cache.set(id, toEntry(record))
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

    async dispose() {
      if (sweeper !== undefined) clearInterval(sweeper)
      sweeper = undefined
      cache.clear()
    },
  }
}

function toEntry(record: SessionRecord): Entry {
  return { payload: record.payload, expiresAt: record.expiresAt.getTime(), version: record.version }
}
