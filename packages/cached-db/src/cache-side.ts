import {
  type DestroyUserOptions,
  isSessionError,
  type SessionEngine,
  type SessionEventListener,
  type SessionRecord,
} from '@sess/core/engine'

/**
 * Keys whose cache entry may be stale because the cache failed to take a write and then failed to drop
 * the entry: reads skip the cache for them until a later cache write or delete succeeds. Past this many
 * keys the cache is not trusted for reads at all any more (a cache failing that often is down).
 */
export const MAX_SUSPECT_KEYS = 10_000

/**
 * The cache engine behind a shield: every call is best effort. A failure is reported as a
 * `store.degraded` event and never reaches the request; a write that fails leaves the entry deleted,
 * or, if even that fails, the key bypassed for reads (see {@link MAX_SUSPECT_KEYS}).
 */
export class CacheSide {
  readonly #cache: SessionEngine
  readonly #onEvent: SessionEventListener | undefined
  readonly #suspect = new Set<string>()
  #distrusted = false
  /**
   * The latest `now` of a `purgeExpired` the cache did not take part in (it cannot purge, or failed to):
   * the db removed every record expiring at or before it, so a cached entry that does is gone.
   */
  #purgedThrough = Number.NEGATIVE_INFINITY

  constructor(cache: SessionEngine, onEvent: SessionEventListener | undefined) {
    this.#cache = cache
    this.#onEvent = onEvent
  }

  /**
   * Reads the cache, then `onMiss` on a miss, a failure, or a key whose entry may be stale. Written with
   * one `then` (not `async`/`await` layers): a cache hit costs a single promise hop over the cache's own.
   */
  read(key: string, now: Date, onMiss: () => Promise<SessionRecord | null>): Promise<SessionRecord | null> {
    if (this.#distrusted || this.#suspect.has(key)) return onMiss()
    let pending: Promise<SessionRecord | null>
    try {
      pending = this.#cache.read(key, now)
    } catch (error) {
      this.#degraded('read', error)
      return onMiss()
    }
    return pending.then(
      (hit) => {
        if (hit === null) return onMiss()
        if (hit.expiresAt.getTime() > this.#purgedThrough) return hit
        void this.invalidate(key)
        return onMiss()
      },
      (error: unknown) => {
        this.#degraded('read', error)
        return onMiss()
      },
    )
  }

  /**
   * Stores `record` after the db stored it. With `fromVersion`, the entry is moved only if it holds that
   * version (the cache mirrors the db's compare-and-set); an entry at another version is stale and dropped.
   */
  async write(key: string, record: SessionRecord, fromVersion?: number): Promise<void> {
    try {
      await this.#put(key, record, fromVersion)
      this.#suspect.delete(key)
    } catch (error) {
      if (!isSessionError(error, 'VERSION_CONFLICT') && !isSessionError(error, 'KEY_CONFLICT')) this.#degraded('write', error)
      await this.invalidate(key)
    }
  }

  /**
   * Fills the cache after a miss. Only into an empty slot: if an entry appeared meanwhile (a write's,
   * which may be newer) or lingers expired, it is dropped instead, and the next read fills the slot.
   */
  async fill(key: string, record: SessionRecord): Promise<void> {
    if (this.#distrusted) return
    try {
      await this.#cache.create(key, record)
      this.#suspect.delete(key)
    } catch (error) {
      if (!isSessionError(error, 'KEY_CONFLICT')) this.#degraded('fill', error)
      await this.invalidate(key)
    }
  }

  /** Drops the entry of `key`. When the cache cannot, reads bypass it for that key. */
  async invalidate(key: string): Promise<void> {
    try {
      await this.#cache.destroy(key)
      this.#suspect.delete(key)
    } catch (error) {
      this.#degraded('invalidate', error)
      if (this.#suspect.size >= MAX_SUSPECT_KEYS) {
        this.#distrusted = true
        this.#suspect.clear()
      } else this.#suspect.add(key)
    }
  }

  /** Moves the expiry of the cached entry, or drops it when the cache cannot touch. */
  async touch(key: string, expiresAt: Date): Promise<void> {
    if (!this.#cache.touch) return this.invalidate(key)
    try {
      await this.#cache.touch(key, expiresAt)
    } catch (error) {
      this.#degraded('touch', error)
      await this.invalidate(key)
    }
  }

  /**
   * Purges the cache's expired entries after the db purged up to `now`; never fails. A cache that cannot
   * purge by a given instant (e.g. one that expires entries by its own clock) has its entries expiring
   * at or before `now` treated as misses from then on.
   */
  async purgeExpired(now: Date): Promise<void> {
    if (this.#cache.purgeExpired) {
      try {
        await this.#cache.purgeExpired(now)
        return
      } catch (error) {
        this.#degraded('purgeExpired', error)
      }
    }
    this.#purgedThrough = Math.max(this.#purgedThrough, now.getTime())
  }

  /**
   * Drops the cached entries of a user (all, one handle, or all but one) through the cache's own index, after the db
   * destroyed them; never fails. When the cache cannot, this process stops reading the cache at all: it cannot tell
   * which of its entries are that user's, and a destroyed session must never be served.
   */
  async destroyUser(userId: string, options: DestroyUserOptions | undefined): Promise<void> {
    try {
      await this.#cache.destroyUser!(userId, options)
    } catch (error) {
      this.#degraded('destroyUser', error)
      this.#distrusted = true
      this.#suspect.clear()
    }
  }

  /** Disposes the cache; never fails. */
  async dispose(): Promise<void> {
    try {
      await this.#cache.dispose?.()
    } catch (error) {
      this.#degraded('dispose', error)
    }
  }

  async #put(key: string, record: SessionRecord, fromVersion: number | undefined): Promise<void> {
    try {
      await this.#cache.update(key, record, fromVersion)
    } catch (error) {
      if (!isSessionError(error, 'NOT_FOUND')) throw error
      // Not cached here yet (a new session, or evicted): write-through adds it.
      await this.#cache.create(key, record)
    }
  }

  #degraded(action: string, error: unknown): void {
    try {
      this.#onEvent?.({ type: 'store.degraded', store: 'cached-db', action: `cache ${action}`, error })
    } catch {
      // A listener must not break a request.
    }
  }
}
