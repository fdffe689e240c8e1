import { isSessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { CacheSide } from './cache-side.js'
import { checkOptions, type CachedDbEngineOptions } from './options.js'
import { Overlaps } from './overlaps.js'

/**
 * Django's `cached_db` engine over any two engines: reads try the cache, then the db (filling the cache);
 * writes go to the db first, then to the cache (write-through); destroy removes from both, db first.
 *
 * The db is the authority: versioned updates are decided by it, so a stale cache entry never causes a
 * lost update (on `VERSION_CONFLICT` or `NOT_FOUND` the entry is dropped and core's re-read goes to the
 * db). A failing cache never fails a request (it is bypassed and a `store.degraded` event is emitted);
 * a failing db does, and leaves the cache as it was.
 *
 * The user index (`listUser`, `destroyUser`) is declared when both engines declare it: listings come from the db,
 * and `destroyUser` removes the sessions from the db, then from the cache through the cache's own `destroyUser`
 * (the cache is keyed by session key; only its index knows which entries are the user's).
 *
 * @throws SessionError('CONFIG') when `cache` or `db` is not an engine, or they are the same engine.
 */
export function cachedDbEngine(options: CachedDbEngineOptions): SessionEngine {
  checkOptions(options)
  const { db } = options
  const cache = new CacheSide(options.cache, options.onEvent)
  const overlaps = new Overlaps()

  const readThrough = (key: string, now: Date): Promise<SessionRecord | null> =>
    overlaps.miss(key, async (flight) => {
      const record = await db.read(key, now)
      if (record !== null && !flight.overtaken) await cache.fill(key, copy(record))
      return record
    })
  /** After the db refused a write as stale or gone, the cache entry is wrong: drop it so the re-read sees the db. */
  const dropIfStale = async (key: string, error: unknown): Promise<never> => {
    if (isSessionError(error, 'VERSION_CONFLICT') || isSessionError(error, 'NOT_FOUND')) await cache.invalidate(key)
    throw error
  }

  const engine: SessionEngine = {
    name: 'cached-db',
    capabilities: {
      durable: db.capabilities.durable,
      touch: typeof db.touch === 'function',
      purge: typeof db.purgeExpired === 'function',
      userIndex: indexed(db) && indexed(options.cache),
    },

    read(key, now) {
      return cache.read(key, now, () => readThrough(key, now))
    },

    async create(key, record) {
      const stored = copy(record)
      await overlaps.write(key, async (flight) => {
        await db.create(key, record)
        await (flight.overtaken ? cache.invalidate(key) : cache.write(key, stored))
      })
    },

    async update(key, record, ifVersion) {
      const stored = copy(record)
      await overlaps.write(key, async (flight) => {
        await db.update(key, record, ifVersion).catch((error: unknown) => dropIfStale(key, error))
        await (flight.overtaken ? cache.invalidate(key) : cache.write(key, stored, ifVersion))
      })
    },

    async destroy(key) {
      await overlaps.destroy(key, async () => {
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
      await overlaps.write(key, async (flight) => {
        await touch(key, expiresAt)
        await (flight.overtaken ? cache.invalidate(key) : cache.touch(key, new Date(expiresAt.getTime())))
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
  if (engine.capabilities.userIndex) {
    const listUser = db.listUser!.bind(db)
    const destroyUser = db.destroyUser!.bind(db)
    engine.listUser = (userId, now) => listUser(userId, now)
    engine.destroyUser = (userId, which) =>
      overlaps.destroyUser(async () => {
        const removed = await destroyUser(userId, which)
        await cache.destroyUser(userId, which)
        return removed
      })
  }
  if (db.stats) {
    const stats = db.stats.bind(db)
    // Without the index here (the cache lacks it), signed-in sessions are not this engine's to count.
    engine.stats = engine.capabilities.userIndex ? stats : async (now) => ({ ...(await stats(now)), signedIn: null })
  }
  return engine
}

/** Whether `engine` declares the user index and has both of its methods. */
function indexed(engine: SessionEngine): boolean {
  return engine.capabilities.userIndex === true && typeof engine.listUser === 'function' && typeof engine.destroyUser === 'function'
}

/** A copy of `record` for the cache, with the user and handle its index needs. */
function copy(record: SessionRecord): SessionRecord {
  const out: SessionRecord = { payload: record.payload, expiresAt: new Date(record.expiresAt.getTime()), version: record.version }
  if (record.userId !== undefined) out.userId = record.userId
  if (record.handle !== undefined) out.handle = record.handle
  return out
}
