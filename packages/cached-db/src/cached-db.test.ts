import { isSessionError, type SessionEngine, type SessionEvent } from '@sess/core'
import { generateSessionKey, type SessionRecord } from '@sess/core/engine'
import { createHarness, CookieJar, referenceEngine } from '@sess/engine-tests'
import { memoryEngine } from '@sess/memory'
import { sqliteEngine } from '@sess/sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { cachedDbEngine, MAX_SUSPECT_KEYS } from './index.js'
import { faulty, gated } from './test-engines.js'

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const rec = (payload = '{"n":1}', version = 1, expiresAt = later): SessionRecord => ({ payload, expiresAt, version })

/** A cached-db over counted, breakable reference engines, with the events it emitted. */
function setup() {
  const cache = faulty(referenceEngine(), 'cache')
  const db = faulty(referenceEngine(), 'db')
  const events: SessionEvent[] = []
  const engine = cachedDbEngine({ cache, db, onEvent: (event) => events.push(event) })
  return { cache, db, engine, events }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

function sqlitePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sess-cached-db-'))
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'sessions.sqlite3')
}

describe('cached-db: reads', () => {
  it('a cache miss reads the db and fills the cache; the next read does not touch the db', async () => {
    const { cache, db, engine } = setup()
    const key = generateSessionKey()
    await db.create(key, rec('{"from":"db"}'))
    expect(await cache.read(key, now)).toBeNull()
    expect((await engine.read(key, now))?.payload).toBe('{"from":"db"}')
    expect((await cache.read(key, now))?.payload).toBe('{"from":"db"}')
    const dbReads = db.calls.read
    expect((await engine.read(key, now))?.payload).toBe('{"from":"db"}')
    expect(db.calls.read).toBe(dbReads)
  })

  it('writes go through to the cache: reads after a save are served without the db', async () => {
    const { db, engine } = setup()
    const key = generateSessionKey()
    await engine.create(key, rec())
    await engine.update(key, rec('{"n":2}', 2), 1)
    expect(await engine.read(key, now)).toEqual(rec('{"n":2}', 2))
    expect(db.calls.read ?? 0).toBe(0)
  })

  it('a miss in both reads as null and caches nothing', async () => {
    const { cache, engine } = setup()
    expect(await engine.read(generateSessionKey(), now)).toBeNull()
    expect(cache.calls.create ?? 0).toBe(0)
  })

  it('an expired record is a miss even while the cache still holds it', async () => {
    const { engine } = setup()
    const key = generateSessionKey()
    await engine.create(key, rec('{}', 1, now))
    expect(await engine.read(key, now)).toBeNull()
  })
})

describe('cached-db: a failing db fails the request and leaves the cache untouched', () => {
  it('update', async () => {
    const { cache, db, engine } = setup()
    const key = generateSessionKey()
    await engine.create(key, rec('{"v":1}'))
    db.failing.add('update')
    expect(isSessionError(await rejection(engine.update(key, rec('{"v":2}', 2), 1)), 'ENGINE')).toBe(true)
    expect(await cache.read(key, now)).toEqual(rec('{"v":1}'))
    db.failing.clear()
    expect(await db.read(key, now)).toEqual(rec('{"v":1}'))
  })

  it('create, destroy, touch and read', async () => {
    const { cache, db, engine } = setup()
    const key = generateSessionKey()
    db.failing.add('create')
    expect(isSessionError(await rejection(engine.create(key, rec())), 'ENGINE')).toBe(true)
    expect(cache.calls.create ?? 0).toBe(0)
    db.failing.clear()
    await engine.create(key, rec())
    const cacheWrites = () => (cache.calls.update ?? 0) + (cache.calls.create ?? 0) + (cache.calls.destroy ?? 0) + (cache.calls.touch ?? 0)
    const before = cacheWrites()
    db.failing.add('destroy').add('touch').add('read')
    expect(isSessionError(await rejection(engine.destroy(key)), 'ENGINE')).toBe(true)
    expect(isSessionError(await rejection(engine.touch!(key, new Date(Date.UTC(2031, 0, 1)))), 'ENGINE')).toBe(true)
    expect(cacheWrites()).toBe(before)
    expect(await cache.read(key, now)).toEqual(rec())
    // A cached key is still served while the db is down; a miss is not.
    expect(await engine.read(key, now)).toEqual(rec())
    expect(isSessionError(await rejection(engine.read(generateSessionKey(), now)), 'ENGINE')).toBe(true)
  })

  it('KEY_CONFLICT from the db reaches the caller and the cached original stays', async () => {
    const { cache, engine } = setup()
    const key = generateSessionKey()
    await engine.create(key, rec('{"original":true}'))
    expect(isSessionError(await rejection(engine.create(key, rec('{"intruder":true}'))), 'KEY_CONFLICT')).toBe(true)
    expect((await cache.read(key, now))?.payload).toBe('{"original":true}')
  })
})

describe('cached-db: a failing cache never fails a request', () => {
  it('every operation succeeds through the db, and each cache failure is reported as store.degraded', async () => {
    const { cache, db, engine, events } = setup()
    cache.failing.add('read').add('create').add('update').add('destroy').add('touch').add('purgeExpired')
    const key = generateSessionKey()
    await engine.create(key, rec('{"v":1}'))
    expect(await engine.read(key, now)).toEqual(rec('{"v":1}'))
    await engine.update(key, rec('{"v":2}', 2), 1)
    await engine.touch!(key, new Date(Date.UTC(2030, 5, 1)))
    expect((await engine.read(key, now))?.version).toBe(2)
    expect(await engine.purgeExpired!(now)).toBe(0)
    await engine.destroy(key)
    expect(await engine.read(key, now)).toBeNull()
    expect(await db.read(key, now)).toBeNull()
    // A key the cache was never asked to hold is read from it first (and the failure reported).
    expect(await engine.read(generateSessionKey(), now)).toBeNull()
    expect(events.length).toBeGreaterThan(0)
    for (const event of events) {
      expect(event).toMatchObject({ type: 'store.degraded', store: 'cached-db' })
      expect(isSessionError((event as { error: unknown }).error, 'ENGINE')).toBe(true)
      expect(JSON.stringify(event)).not.toContain(key)
    }
    expect(new Set(events.map((e) => (e as { action: string }).action))).toEqual(
      new Set(['cache read', 'cache write', 'cache invalidate', 'cache fill', 'cache touch', 'cache purgeExpired']),
    )
  })

  it('a throwing listener does not break a request', async () => {
    const cache = faulty(referenceEngine(), 'cache')
    const engine = cachedDbEngine({
      cache,
      db: referenceEngine(),
      onEvent: () => {
        throw new Error('listener bug')
      },
    })
    cache.failing.add('read')
    const key = generateSessionKey()
    await engine.create(key, rec())
    expect(await engine.read(key, now)).toEqual(rec())
  })

  it('a cache write that fails after the db write drops the old entry, so it is never served again', async () => {
    const { cache, engine } = setup()
    const key = generateSessionKey()
    await engine.create(key, rec('{"v":1}'))
    cache.failing.add('update').add('create')
    await engine.update(key, rec('{"v":2}', 2), 1)
    expect(await cache.read(key, now)).toBeNull()
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2))
  })

  it('when the cache can neither take the write nor drop the entry, reads bypass it for that key until it recovers', async () => {
    const { cache, db, engine } = setup()
    const key = generateSessionKey()
    const other = generateSessionKey()
    await engine.create(key, rec('{"v":1}'))
    await engine.create(other, rec('{"other":true}'))
    cache.failing.add('update').add('create').add('destroy')
    await engine.update(key, rec('{"v":2}', 2), 1)
    expect(await cache.read(key, now)).toEqual(rec('{"v":1}')) // the cache still holds the old version…
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2)) // …but it is not served
    const dbReads = db.calls.read ?? 0
    expect((await engine.read(other, now))?.payload).toBe('{"other":true}') // other keys still come from the cache
    expect(db.calls.read ?? 0).toBe(dbReads)
    // The cache recovers: the next read drops the stale entry, the one after refills it, and the key is
    // served from the cache again.
    cache.failing.clear()
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2))
    expect(await cache.read(key, now)).toBeNull()
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2))
    expect(await cache.read(key, now)).toEqual(rec('{"v":2}', 2))
    const afterRepair = db.calls.read ?? 0
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2))
    expect(db.calls.read ?? 0).toBe(afterRepair)
  })

  it('a destroyed session is never served from a cache that failed to drop it (logout holds)', async () => {
    const { cache, engine } = setup()
    const key = generateSessionKey()
    await engine.create(key, rec())
    cache.failing.add('destroy')
    await engine.destroy(key)
    expect(await cache.read(key, now)).toEqual(rec())
    expect(await engine.read(key, now)).toBeNull()
  })

  it(`after ${MAX_SUSPECT_KEYS} keys it could not drop, the cache is not read at all any more`, async () => {
    const { cache, engine } = setup()
    cache.failing.add('destroy')
    for (let i = 0; i <= MAX_SUSPECT_KEYS; i++) await engine.destroy(generateSessionKey())
    const key = generateSessionKey()
    await engine.create(key, rec())
    const cacheReads = cache.calls.read ?? 0
    expect(await engine.read(key, now)).toEqual(rec())
    expect(cache.calls.read ?? 0).toBe(cacheReads)
  })
})

describe('cached-db: the db decides versions, whatever the cache holds', () => {
  it('a cache holding an old version (another process updated the db): the update conflicts, the entry is dropped, the re-read is fresh', async () => {
    const path = sqlitePath()
    const a = cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path }) })
    const b = cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path }) })
    onTestFinished(async () => {
      await a.dispose?.()
      await b.dispose?.()
    })
    const key = generateSessionKey()
    await a.create(key, rec('{"v":1}'))
    expect((await b.read(key, now))?.version).toBe(1)
    await b.update(key, rec('{"v":2}', 2), 1)
    // Process A's own cache is stale (documented: a per-process cache is not coherent)…
    expect((await a.read(key, now))?.version).toBe(1)
    // …but a versioned update from the stale version cannot overwrite the newer record…
    expect(isSessionError(await rejection(a.update(key, rec('{"lost":true}', 2), 1)), 'VERSION_CONFLICT')).toBe(true)
    // …and the re-read that follows a conflict goes to the db.
    expect(await a.read(key, now)).toEqual(rec('{"v":2}', 2))
    await a.update(key, rec('{"v":3}', 3), 2)
    expect(await a.read(key, now)).toEqual(rec('{"v":3}', 3))
  })

  it('two app processes with their own memory caches over one SQLite file lose no update (through createSessions)', async () => {
    const path = sqlitePath()
    const a = createHarness(cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path }) }))
    const b = createHarness(cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path }) }))
    onTestFinished(async () => {
      await a.sessions.dispose()
      await b.sessions.dispose()
    })
    const jar = new CookieJar()
    await a.request(jar, (s) => s.set('count', 0))
    // Both processes have the session cached at version 1.
    await b.request(jar, (s) => s.get('count'))
    await a.request(jar, (s) => s.set('a', 1))
    // B's cache still says version 1: its save conflicts in the db, re-reads, and merges its change.
    await b.request(jar, (s) => s.set('b', 2))
    await a.request(jar, (s) => s.set('c', 3))
    await b.request(jar, (s) => s.set('d', 4))
    // B's save merged onto the db's newest version, so B's own cache now holds everything.
    expect(Object.fromEntries((await b.request(jar, (s) => s.entries())).result)).toEqual({ count: 0, a: 1, b: 2, c: 3, d: 4 })
    const fresh = createHarness(sqliteEngine({ path }))
    onTestFinished(() => fresh.sessions.dispose())
    expect(Object.fromEntries((await fresh.request(jar, (s) => s.entries())).result)).toEqual({ count: 0, a: 1, b: 2, c: 3, d: 4 })
  })

  it('a session destroyed by another process: the update fails with NOT_FOUND and the cached copy is dropped', async () => {
    const db = referenceEngine()
    const a = cachedDbEngine({ cache: referenceEngine(), db })
    const b = cachedDbEngine({ cache: referenceEngine(), db })
    const key = generateSessionKey()
    await a.create(key, rec())
    await b.destroy(key)
    expect(isSessionError(await rejection(a.update(key, rec('{}', 2), 1)), 'NOT_FOUND')).toBe(true)
    expect(await a.read(key, now)).toBeNull()
  })

  it('a slow db read overtaken by a write does not put its old record in the cache', async () => {
    const db = gated(referenceEngine(), { reads: true })
    const cache = referenceEngine()
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await db.create(key, rec('{"v":1}'))
    const slowRead = engine.read(key, now)
    while (db.waiting() === 0) await new Promise((resolve) => setImmediate(resolve))
    await engine.update(key, rec('{"v":2}', 2), 1)
    db.release()
    expect((await slowRead)?.version).toBe(1) // it read before the write: fine to return
    expect(await cache.read(key, now)).toEqual(rec('{"v":2}', 2)) // but the cache kept the newer record
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2))
  })
})

describe('cached-db: misses that overlap a write are not cached', () => {
  it('a miss that starts while a write of the same key is in flight does not cache what it read', async () => {
    const db = gated(referenceEngine(), { updates: true })
    const cache = referenceEngine()
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await db.create(key, rec('{"v":1}'))
    const slowWrite = engine.update(key, rec('{"v":2}', 2), 1)
    while (db.waiting() === 0) await new Promise((resolve) => setImmediate(resolve))
    // The db still holds version 1; the write is about to replace it.
    expect((await engine.read(key, now))?.version).toBe(1)
    expect(await cache.read(key, now)).toBeNull()
    db.release()
    await slowWrite
    expect(await engine.read(key, now)).toEqual(rec('{"v":2}', 2))
    expect(await cache.read(key, now)).toEqual(rec('{"v":2}', 2))
  })

  it('a write whose db call landed before a destroy and reaches the cache after it does not put the entry back', async () => {
    const db = gated(referenceEngine(), { afterUpdates: true })
    const cache = referenceEngine()
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await engine.create(key, rec('{"v":1}'))
    const slowWrite = engine.update(key, rec('{"v":2}', 2), 1)
    for (let i = 0; i < 10_000 && db.waiting() === 0; i++) await new Promise((resolve) => setImmediate(resolve))
    await engine.destroy(key) // a logout racing with another request's save
    db.release()
    await slowWrite
    expect(await cache.read(key, now)).toBeNull()
    expect(await engine.read(key, now)).toBeNull()
  })

  it('a fill never overwrites an entry that appeared meanwhile: it drops it, and the next read refills from the db', async () => {
    const db = gated(referenceEngine(), { reads: true })
    const cache = referenceEngine()
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await db.create(key, rec('{"v":1}'))
    const slowRead = engine.read(key, now)
    while (db.waiting() === 0) await new Promise((resolve) => setImmediate(resolve))
    // Another writer (e.g. another process sharing this cache) put a newer version in the cache.
    await cache.create(key, rec('{"v":2}', 2))
    db.release()
    expect((await slowRead)?.version).toBe(1)
    expect(await cache.read(key, now)).toBeNull()
  })
})

describe('cached-db: options and capabilities', () => {
  it('refuses bad options with SessionError("CONFIG")', () => {
    const engine = referenceEngine()
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { cache: engine },
      { db: engine },
      { cache: engine, db: engine },
      { cache: {}, db: referenceEngine() },
      { cache: referenceEngine(), db: { read() {} } },
      { cache: referenceEngine(), db: referenceEngine(), onEvent: 'log' },
    ]
    for (const options of bad) {
      let error: unknown
      try {
        cachedDbEngine(options as never)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG'), JSON.stringify(options)).toBe(true)
    }
  })

  it('declares what the db can do: durability, touch and purge follow the db', () => {
    const bare: SessionEngine = {
      name: 'bare',
      capabilities: { durable: true, touch: false, purge: false },
      read: async () => null,
      create: async () => undefined,
      update: async () => undefined,
      destroy: async () => undefined,
    }
    const over = cachedDbEngine({ cache: referenceEngine(), db: bare })
    expect(over.capabilities).toEqual({ durable: true, touch: false, purge: false, userIndex: false })
    expect(over.touch).toBeUndefined()
    expect(over.purgeExpired).toBeUndefined()
    expect(cachedDbEngine({ cache: bare, db: referenceEngine() }).capabilities).toMatchObject({ durable: false, touch: true, purge: true })
  })

  it('touch over a cache without touch drops the cached entry instead', async () => {
    const inner = referenceEngine()
    const cache: SessionEngine = { ...inner, capabilities: { durable: false, touch: false, purge: true } }
    delete cache.touch
    const engine = cachedDbEngine({ cache, db: referenceEngine() })
    const key = generateSessionKey()
    await engine.create(key, rec('{}', 1, new Date(Date.UTC(2030, 0, 1, 1))))
    const further = new Date(Date.UTC(2030, 0, 9))
    await engine.touch!(key, further)
    expect(await inner.read(key, now)).toBeNull()
    expect((await engine.read(key, new Date(Date.UTC(2030, 0, 5))))?.expiresAt).toEqual(further)
  })

  for (const reason of ['cannot purge', 'fails to purge'] as const) {
    it(`after purgeExpired(t), a cache that ${reason} never serves a record expiring at or before t`, async () => {
      const inner = referenceEngine()
      const cache = faulty(inner, 'cache')
      if (reason === 'cannot purge') delete cache.purgeExpired
      else cache.failing.add('purgeExpired')
      const db = referenceEngine()
      const engine = cachedDbEngine({ cache, db })
      const t = new Date(Date.UTC(2030, 0, 1, 6))
      const [expired, live] = [generateSessionKey(), generateSessionKey()]
      await engine.create(expired, rec('{}', 1, t))
      await engine.create(live, rec('{}', 1, new Date(t.getTime() + 1)))
      expect(await engine.purgeExpired!(t)).toBe(1)
      const before = new Date(t.getTime() - 1000)
      expect(await inner.read(expired, before)).not.toBeNull() // still in the cache…
      expect(await engine.read(expired, before)).toBeNull() // …but never served
      expect(await engine.read(live, before)).not.toBeNull()
      expect(await inner.read(expired, before)).toBeNull() // and dropped from the cache on the way
    })
  }

  it('dispose releases both engines', async () => {
    const cache = memoryEngine()
    const db = sqliteEngine({ path: sqlitePath() })
    const engine = cachedDbEngine({ cache, db })
    await engine.create(generateSessionKey(), rec())
    await engine.dispose!()
    expect(db.database.open).toBe(false)
  })
})
