import { isSessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { CacheSide } from './cache-side.js'
import { checkOptions, type CachedDbEngineOptions } from './options.js'

/** A db read in flight after a cache miss; a write to the same key overlapping it makes its result unfit for the cache. */
interface Miss {
  overtaken: boolean
}

/**
 * Django's `cached_db` engine over any two engines: reads try the cache, then the db (filling the cache);
 * writes go to the db first, then to the cache (write-through); destroy removes from both, db first.
 *
 * The db is the authority: versioned updates are decided by it, so a stale cache entry never causes a
 * lost update (on `VERSION_CONFLICT` or `NOT_FOUND` the entry is dropped and core's re-read goes to the
 * db). A failing cache never fails a request (it is bypassed and a `store.degraded` event is emitted);
 * a failing db does, and leaves the cache as it was.
 *
 * @throws SessionError('CONFIG') when `cache` or `db` is not an engine, or they are the same engine.
 */
export function cachedDbEngine(options: CachedDbEngineOptions): SessionEngine {
  checkOptions(options)
  const { db } = options
  const cache = new CacheSide(options.cache, options.onEvent)
  const misses = new Map<string, Miss[]>()
  const writing = new Map<string, number>()

  /**
   * Runs a db write of `key`. While it runs, db reads after cache misses of `key` (already in flight, or
   * starting meanwhile) are not put in the cache: they may have read the version the write replaces.
   */
  const write = async <T>(key: string, operation: () => Promise<T>): Promise<T> => {
    const pending = misses.get(key)
    if (pending) for (const miss of pending) miss.overtaken = true
    writing.set(key, (writing.get(key) ?? 0) + 1)
    try {
      return await operation()
    } finally {
      const left = writing.get(key)! - 1
      if (left === 0) writing.delete(key)
      else writing.set(key, left)
    }
  }
  const readThrough = async (key: string, now: Date): Promise<SessionRecord | null> => {
    const miss: Miss = { overtaken: writing.has(key) }
    const pending = misses.get(key)
    if (pending) pending.push(miss)
    else misses.set(key, [miss])
    let record: SessionRecord | null
    try {
      record = await db.read(key, now)
    } finally {
      const list = misses.get(key)!
      list.splice(list.indexOf(miss), 1)
      if (list.length === 0) misses.delete(key)
    }
    if (record !== null && !miss.overtaken) await cache.fill(key, { ...record, expiresAt: new Date(record.expiresAt.getTime()) })
    return record
  }
  /** After the db refused a write as stale or gone, the cache entry is wrong: drop it so the re-read sees the db. */
  const dropIfStale = async (key: string, error: unknown): Promise<never> => {
    if (isSessionError(error, 'VERSION_CONFLICT') || isSessionError(error, 'NOT_FOUND')) await cache.invalidate(key)
    throw error
  }

  const engine: SessionEngine = {
    name: 'cached-db',
    capabilities: { durable: db.capabilities.durable, touch: typeof db.touch === 'function', purge: typeof db.purgeExpired === 'function' },

    read(key, now) {
      return cache.read(key, now, () => readThrough(key, now))
    },

    async create(key, record) {
      const stored = copy(record)
      await write(key, async () => {
        await db.create(key, record)
        await cache.write(key, stored)
      })
    },

    async update(key, record, ifVersion) {
      const stored = copy(record)
      await write(key, async () => {
        await db.update(key, record, ifVersion).catch((error: unknown) => dropIfStale(key, error))
        await cache.write(key, stored, ifVersion)
      })
    },

    async destroy(key) {
      await write(key, async () => {
        await db.destroy(key)
        await cache.invalidate(key)
      })
    },

    async dispose() {
      await cache.dispose()
      await db.dispose?.()
    },
  }
  if (db.touch) {
    const touch = db.touch.bind(db)
    engine.touch = async (key, expiresAt) => {
      await write(key, async () => {
        await touch(key, expiresAt)
        await cache.touch(key, new Date(expiresAt.getTime()))
      })
    }
  }
  if (db.purgeExpired) {
    const purge = db.purgeExpired.bind(db)
    engine.purgeExpired = async (now) => {
      const removed = await purge(now)
      await cache.purgeExpired(now)
      return removed
    }
  }
  return engine
}

function copy(record: SessionRecord): SessionRecord {
  return { payload: record.payload, expiresAt: new Date(record.expiresAt.getTime()), version: record.version }
}
