import { isSessionError, type SessionEngine, type SessionEvent } from '@sess/core'
import { generateSessionKey, sessionHandle, type SessionRecord } from '@sess/core/engine'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CookieJar, createHarness, type Harness, referenceEngine } from '@sess/engine-tests'
import { fileEngine } from '@sess/file'
import { memoryEngine } from '@sess/memory'
import { sqliteEngine } from '@sess/sqlite'
import { describe, expect, it, onTestFinished } from 'vitest'
import { cachedDbEngine } from './index.js'
import { faulty, gated, indexed, unindexed } from './test-engines.js'

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const signedIn = (key: string, userId: string | null, version = 1, payload = '{"d":{},"c":1}'): SessionRecord => {
  const r: SessionRecord = { payload, expiresAt: later, version }
  if (userId !== null) Object.assign(r, { userId, handle: sessionHandle(key) })
  return r
}
/** Waits (a bounded number of event-loop turns) until `ready()`. */
async function until(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !ready(); i++) await new Promise((resolve) => setImmediate(resolve))
  expect(ready()).toBe(true)
}

/** cached-db over two indexed reference engines (the cache's calls counted and breakable). */
function setup() {
  const cacheIndex = indexed(referenceEngine(), 'cache')
  const cache = faulty(cacheIndex, 'cache')
  const db = indexed(referenceEngine(), 'db')
  const events: SessionEvent[] = []
  const engine = cachedDbEngine({ cache, db, onEvent: (event) => events.push(event) })
  return { cache, cacheIndex, db, engine, events }
}

describe('cached-db: the user index', () => {
  it('declares userIndex only when both the db and the cache do, and has the methods exactly then', () => {
    const plain = () => unindexed(referenceEngine())
    const cases: Array<[SessionEngine, SessionEngine, boolean]> = [
      [indexed(plain()), indexed(plain()), true],
      [plain(), indexed(plain()), false], // a cache without its own index could not find the user's entries
      [indexed(plain()), plain(), false],
      [plain(), plain(), false],
    ]
    for (const [cache, db, expected] of cases) {
      const engine = cachedDbEngine({ cache, db })
      expect(engine.capabilities.userIndex).toBe(expected)
      expect(typeof engine.listUser === 'function').toBe(expected)
      expect(typeof engine.destroyUser === 'function').toBe(expected)
    }
  })

  it("lists from the db, and copies the user and handle into the cache's index on create, update and fill", async () => {
    const { engine, cacheIndex, cache, db } = setup()
    const [laptop, phone, filled] = [generateSessionKey(), generateSessionKey(), generateSessionKey()]
    await engine.create(laptop, signedIn(laptop, 'ada'))
    await engine.create(phone, signedIn(phone, null))
    await engine.update(phone, signedIn(phone, 'ada', 2), 1)
    await db.create(filled, signedIn(filled, 'ada')) // written by another process: not cached here yet
    expect((await engine.read(filled, now))?.userId).toBe('ada') // the miss fills the cache
    const handles = (records: SessionRecord[]) => records.map((r) => r.handle).sort()
    const all = [laptop, phone, filled].map(sessionHandle).sort()
    expect(handles(await engine.listUser!('ada', now))).toEqual(all)
    expect(cache.calls.listUser).toBeUndefined()
    expect(handles(await cacheIndex.listUser!('ada', now))).toEqual(all)
  })

  it('destroyUser removes from the db, then from the cache: every cookie of the user is a miss at once', async () => {
    const { engine, cache, db } = setup()
    const keys = Array.from({ length: 3 }, () => generateSessionKey())
    for (const key of keys) await engine.create(key, signedIn(key, 'ada'))
    const bob = generateSessionKey()
    await engine.create(bob, signedIn(bob, 'bob'))
    for (const key of keys) expect(await engine.read(key, now)).not.toBeNull() // cached
    expect(await engine.destroyUser!('ada')).toBe(3)
    for (const key of keys) {
      expect(await cache.read(key, now)).toBeNull()
      expect(await engine.read(key, now)).toBeNull()
    }
    expect(await engine.read(bob, now)).not.toBeNull()
    expect(db.destroyed).toEqual([{ userId: 'ada', options: undefined }])
  })

  it('passes handle and exceptHandle to both engines: the current session stays cached', async () => {
    const { engine, cache } = setup()
    const [current, other, third] = [generateSessionKey(), generateSessionKey(), generateSessionKey()]
    for (const key of [current, other, third]) await engine.create(key, signedIn(key, 'ada'))
    expect(await engine.destroyUser!('ada', { handle: sessionHandle(third) })).toBe(1)
    expect(await cache.read(third, now)).toBeNull()
    expect(await engine.destroyUser!('ada', { exceptHandle: sessionHandle(current) })).toBe(1)
    expect(await cache.read(other, now)).toBeNull()
    expect(await cache.read(current, now)).not.toBeNull()
    const reads = cache.calls.read ?? 0
    expect(await engine.read(current, now)).not.toBeNull()
    expect(cache.calls.read).toBe(reads + 1)
  })

  it('a cache that fails destroyUser: reported, and this process stops reading the cache (no destroyed session is served)', async () => {
    const { engine, cache, events } = setup()
    const [gone, kept] = [generateSessionKey(), generateSessionKey()]
    await engine.create(gone, signedIn(gone, 'ada'))
    await engine.create(kept, signedIn(kept, 'bob'))
    cache.failing.add('destroyUser')
    expect(await engine.destroyUser!('ada')).toBe(1)
    expect(events).toEqual([expect.objectContaining({ type: 'store.degraded', action: 'cache destroyUser' })])
    expect(await cache.read(gone, now)).not.toBeNull() // the stale entry is still in the cache…
    expect(await engine.read(gone, now)).toBeNull() // …and never served
    const reads = cache.calls.read ?? 0
    expect(await engine.read(kept, now)).not.toBeNull() // from the db
    expect(cache.calls.read).toBe(reads)
  })

  it('a db that fails destroyUser fails the call and leaves the cache as it was', async () => {
    const cache = indexed(referenceEngine(), 'cache')
    const db = faulty(indexed(referenceEngine(), 'db'), 'db')
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, 'ada'))
    db.failing.add('destroyUser')
    expect(isSessionError(await engine.destroyUser!('ada').catch((x: unknown) => x), 'ENGINE')).toBe(true)
    expect(await engine.read(key, now)).not.toBeNull()
  })

  it('a write that landed before a destroyUser and reaches the cache after it does not put its entry back', async () => {
    const slow = gated(referenceEngine(), { afterUpdates: true })
    const db = indexed(slow, 'db')
    const cache = indexed(referenceEngine(), 'cache')
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, 'ada'))
    const writing = engine.update(key, signedIn(key, 'ada', 2), 1)
    await until(() => slow.waiting() > 0) // the db took the update; its reply is late
    expect(await engine.destroyUser!('ada')).toBe(1)
    slow.release()
    await writing
    expect(await cache.read(key, now)).toBeNull()
    expect(await engine.read(key, now)).toBeNull()
  })

  it('a db read in flight across a destroyUser does not fill the cache', async () => {
    const slow = gated(referenceEngine(), { reads: true })
    const db = indexed(slow, 'db')
    const cache = indexed(referenceEngine(), 'cache')
    const engine = cachedDbEngine({ cache, db })
    const key = generateSessionKey()
    await db.create(key, signedIn(key, 'ada'))
    const reading = engine.read(key, now)
    await until(() => slow.waiting() > 0)
    expect(await engine.destroyUser!('ada')).toBe(1)
    slow.release()
    expect((await reading)?.version).toBe(1) // it read before the destroy: fine to return to its own request
    expect(await cache.read(key, now)).toBeNull()
    const again = engine.read(key, now)
    await until(() => slow.waiting() > 0)
    slow.release()
    expect(await again).toBeNull()
  })

  it("stats are the db's", async () => {
    const db = indexed(referenceEngine(), 'db')
    db.stats = async () => ({ sessions: 7, earliestExpiry: null, latestExpiry: null, bytes: null, signedIn: 3 })
    const engine = cachedDbEngine({ cache: indexed(referenceEngine()), db })
    expect(await engine.stats!(now)).toEqual({ sessions: 7, earliestExpiry: null, latestExpiry: null, bytes: null, signedIn: 3 })
    expect(cachedDbEngine({ cache: referenceEngine(), db: unindexed(referenceEngine()) }).stats).toBeUndefined()
    // Over a cache without the index, cached-db has none: signedIn is not reported, whatever the db counts.
    const halfIndexed = cachedDbEngine({ cache: unindexed(referenceEngine()), db })
    expect(await halfIndexed.stats!(now)).toEqual({ sessions: 7, earliestExpiry: null, latestExpiry: null, bytes: null, signedIn: null })
  })
})

describe('cached-db: the user index through createSessions', () => {
  const dir = () => {
    const path = mkdtempSync(join(tmpdir(), 'sess-cached-db-users-'))
    onTestFinished(() => rmSync(path, { recursive: true, force: true }))
    return path
  }
  const signIn = async (harness: Harness, user: string, device: string) => {
    const jar = new CookieJar()
    await harness.request(jar, async (s) => {
      await s.setUser(user, { device })
      await s.set('device', device)
    })
    return jar
  }
  const entries = async (harness: Harness, jar: CookieJar) => Object.fromEntries((await harness.request(jar, (s) => s.entries())).result)

  const setups: Array<[string, () => { cache: SessionEngine & { readonly size?: number }; db: SessionEngine }]> = [
    ['memory over SQLite', () => ({ cache: memoryEngine(), db: sqliteEngine({ path: join(dir(), 'sessions.sqlite3') }) })],
    ['reference over file', () => ({ cache: referenceEngine(), db: fileEngine({ dir: dir() }) })],
  ]
  for (const [label, make] of setups) {
    it(`after destroyAllFor, every other cookie of the user reads as an empty session at once, through the cache (${label})`, async () => {
      const { cache, db } = make()
      const harness = createHarness(cachedDbEngine({ cache, db }))
      onTestFinished(() => harness.sessions.dispose())
      const [laptop, phone, desk] = [
        await signIn(harness, 'ada', 'laptop'),
        await signIn(harness, 'ada', 'phone'),
        await signIn(harness, 'ada', 'desk'),
      ]
      const other = await signIn(harness, 'bob', 'laptop')
      expect(await entries(harness, laptop)).toEqual({ device: 'laptop' }) // served by the cache
      const current = (await harness.request(desk, (s) => s.get('device'))).session
      expect(await harness.sessions.destroyAllFor('ada', { except: current })).toBe(2)
      const now = harness.clock.now()
      for (const jar of [laptop, phone]) {
        const key = jar.cookies.get('sessionid')!.value
        expect(await cache.read(key, now)).toBeNull() // gone from the cache, not only from the db
        expect(await entries(harness, jar)).toEqual({})
      }
      expect(await entries(harness, desk)).toEqual({ device: 'desk' })
      expect(await entries(harness, other)).toEqual({ device: 'laptop' })
      expect((await harness.sessions.listFor('ada')).map((d) => d.metadata.device)).toEqual(['desk'])
      expect(await harness.sessions.destroyHandle('ada', current.handle!)).toBe(true)
      expect(await entries(harness, desk)).toEqual({})
    })
  }

  it("a per-process cache: another process's cached-db keeps serving its own cached copy, as for destroy (documented)", async () => {
    const storage = dir()
    const a = createHarness(cachedDbEngine({ cache: referenceEngine(), db: fileEngine({ dir: storage }) }))
    const b = createHarness(cachedDbEngine({ cache: referenceEngine(), db: fileEngine({ dir: storage }) }))
    onTestFinished(async () => {
      await a.sessions.dispose()
      await b.sessions.dispose()
    })
    const laptop = await signIn(a, 'ada', 'laptop')
    expect(await entries(b, laptop)).toEqual({ device: 'laptop' }) // now cached in B too
    const copy = new CookieJar() // the same cookie, replayed on B
    copy.apply([`sessionid=${laptop.cookies.get('sessionid')!.value}`])
    expect(await a.sessions.destroyAllFor('ada')).toBe(1)
    expect(await entries(a, laptop)).toEqual({})
    expect(await entries(b, copy)).toEqual({ device: 'laptop' }) // B's cache still has it…
    // …until B saves it: the db answers NOT_FOUND (the request fails, nothing is resurrected) and B drops its copy.
    const saving = await b.request(copy, (s) => s.set('more', 1)).catch((error: unknown) => error)
    expect(isSessionError(saving, 'NOT_FOUND')).toBe(true)
    expect(await entries(b, copy)).toEqual({})
  })
})
