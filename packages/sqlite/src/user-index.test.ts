import { join } from 'node:path'
import { sessionHandle, type SessionRecord } from '@sess/core/engine'
import { churnUserIndex, expectSessionError, newKey, record } from '@sess/engine-tests'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_TABLE, sqliteEngine, type SqliteEngine, type SqliteEngineOptions } from './index.js'
import { startChild } from './test-child.js'
import { tempDir } from './test-support.js'

const dir = tempDir('sess-sqlite-user-')
let count = 0
const freshFile = () => join(dir, `user${++count}.sqlite3`)
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const muchLater = new Date(Date.UTC(2030, 0, 3))

function open(options: SqliteEngineOptions): SqliteEngine {
  const engine = sqliteEngine(options)
  onTestFinished(() => engine.dispose())
  return engine
}

/** A record of `userId`'s session under `key`, as core writes it (the handle derived from the key). */
function signedIn(key: string, userId: string, payload = '{"d":{},"c":1}', expiresAt = later, version = 1): SessionRecord {
  return { ...record(payload, expiresAt, version), userId, handle: sessionHandle(key) }
}

/** Creates `n` sessions of `userId`; returns their keys. */
async function sessionsOf(e: SqliteEngine, userId: string, n: number, expiresAt = later): Promise<string[]> {
  const keys = Array.from({ length: n }, () => newKey())
  for (const [i, key] of keys.entries()) await e.create(key, signedIn(key, userId, `{"i":${i}}`, expiresAt))
  return keys
}

const handles = (records: SessionRecord[]) => records.map((r) => r.handle).sort()
const handlesOf = (keys: string[]) => keys.map(sessionHandle).sort()

/** How many entries the partial index on user_id holds for `userId` (read through the index itself). */
function indexEntries(e: SqliteEngine, userId: string, table = DEFAULT_TABLE): number {
  return e.database.prepare(`SELECT count(*) FROM "${table}" INDEXED BY "${table}_user_id" WHERE user_id = ?`).pluck().get(userId) as number
}

describe('sqlite: the user index', () => {
  it('declares the capability and stores user_id and handle in their own columns, NULL for an anonymous session', async () => {
    const e = open({ path: freshFile() })
    expect(e.capabilities).toEqual({ durable: true, touch: true, purge: true, userIndex: true })
    const user = newKey()
    const anonymous = newKey()
    await e.create(user, signedIn(user, 'u1'))
    await e.create(anonymous, record())
    const rows = e.database.prepare(`SELECT user_id, handle FROM ${DEFAULT_TABLE} ORDER BY user_id IS NULL`).all()
    expect(rows).toEqual([
      { user_id: 'u1', handle: sessionHandle(user) },
      { user_id: null, handle: null },
    ])
    // A read hands the user back; an anonymous record has neither property.
    expect(await e.read(user, now)).toEqual({ ...record('{"d":{},"c":1}'), userId: 'u1', handle: sessionHandle(user) })
    expect(Object.keys((await e.read(anonymous, now))!)).toEqual(['payload', 'expiresAt', 'version'])
    expect(indexEntries(e, 'u1')).toBe(1)
  })

  it('listUser and destroyUser go through the partial index on user_id', () => {
    const e = open({ path: freshFile() })
    const plan = (sql: string, ...params: unknown[]) =>
      (e.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join(' ')
    const index = `${DEFAULT_TABLE}_user_id`
    expect(e.database.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(index)).toMatch(
      /\(user_id, expires_at\) WHERE user_id IS NOT NULL$/,
    )
    expect(plan(`SELECT payload FROM ${DEFAULT_TABLE} WHERE user_id = ? AND expires_at > ?`, 'u', 0)).toContain(
      `USING INDEX ${index} (user_id=? AND expires_at>?)`,
    )
    expect(
      plan(
        `DELETE FROM ${DEFAULT_TABLE} WHERE user_id = @userId AND (@handle IS NULL OR handle = @handle) AND (@exceptHandle IS NULL OR handle IS NOT @exceptHandle)`,
        { userId: 'u', handle: null, exceptHandle: 'h' },
      ),
    ).toContain(`USING INDEX ${index}`)
  })

  it("lists a user's live sessions with userId and handle, and nobody else's", async () => {
    const e = open({ path: freshFile() })
    const ada = await sessionsOf(e, 'ada', 3)
    const bob = await sessionsOf(e, 'bob', 1)
    await e.create(newKey(), record())
    const listed = await e.listUser('ada', now)
    expect(handles(listed)).toEqual(handlesOf(ada))
    for (const r of listed) {
      expect(r.userId).toBe('ada')
      expect(r.expiresAt).toEqual(later)
      expect(r.version).toBe(1)
      expect(r.payload).toMatch(/^\{"i":\d\}$/)
    }
    expect(handles(await e.listUser('bob', now))).toEqual(handlesOf(bob))
    expect(await e.listUser('nobody', now)).toEqual([])
    // User ids are compared exactly: no prefix, case or pattern matching.
    expect(await e.listUser('Ada', now)).toEqual([])
    expect(await e.listUser('ad%', now)).toEqual([])
  })

  it('destroyUser removes all of them in one call, and every read of their keys misses at once', async () => {
    const e = open({ path: freshFile() })
    const ada = await sessionsOf(e, 'ada', 4)
    const [bob] = await sessionsOf(e, 'bob', 1)
    expect(await e.destroyUser('ada')).toBe(4)
    for (const key of ada) expect(await e.read(key, now)).toBeNull()
    expect(await e.listUser('ada', now)).toEqual([])
    expect(await e.read(bob!, now)).not.toBeNull()
    expect(await e.destroyUser('ada')).toBe(0)
    expect(await e.destroyUser('nobody')).toBe(0)
  })

  it('destroyUser with handle removes only that session (of that user)', async () => {
    const e = open({ path: freshFile() })
    const [a1, a2] = await sessionsOf(e, 'ada', 2)
    const [b1] = await sessionsOf(e, 'bob', 1)
    // Another user's handle removes nothing: a handle is only ever looked up under its own user.
    expect(await e.destroyUser('ada', { handle: sessionHandle(b1!) })).toBe(0)
    expect(await e.destroyUser('ada', { handle: sessionHandle(a1!) })).toBe(1)
    expect(await e.read(a1!, now)).toBeNull()
    expect(await e.read(a2!, now)).not.toBeNull()
    expect(await e.read(b1!, now)).not.toBeNull()
    expect(await e.destroyUser('ada', { handle: sessionHandle(a1!) })).toBe(0)
  })

  it('destroyUser with exceptHandle removes every session but that one', async () => {
    const e = open({ path: freshFile() })
    const ada = await sessionsOf(e, 'ada', 4)
    const [b1] = await sessionsOf(e, 'bob', 1)
    const kept = ada[2]!
    expect(await e.destroyUser('ada', { exceptHandle: sessionHandle(kept) })).toBe(3)
    for (const key of ada) expect(await e.read(key, now)).toEqual(key === kept ? expect.anything() : null)
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(kept)])
    expect(await e.read(b1!, now)).not.toBeNull()
    // An exceptHandle that is not among them keeps nothing back.
    expect(await e.destroyUser('ada', { exceptHandle: 'AAAAAAAAAAAAAAAA' })).toBe(1)
  })

  it('an update moves the record between users, or out of the index when it turns anonymous', async () => {
    const e = open({ path: freshFile() })
    const key = newKey()
    await e.create(key, record('{"anon":1}', later, 1))
    expect(indexEntries(e, 'ada')).toBe(0)
    await e.update(key, signedIn(key, 'ada', '{"ada":1}', later, 2), 1)
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(key)])
    await e.update(key, signedIn(key, 'bob', '{"bob":1}', later, 3), 2)
    expect(await e.listUser('ada', now)).toEqual([])
    expect(await e.listUser('bob', now)).toEqual([
      { payload: '{"bob":1}', expiresAt: later, version: 3, userId: 'bob', handle: sessionHandle(key) },
    ])
    expect(await e.destroyUser('ada')).toBe(0)
    // The unversioned update follows the user too.
    await e.update(key, record('{"anon":2}', later, 4))
    expect(await e.listUser('bob', now)).toEqual([])
    expect(await e.read(key, now)).toEqual(record('{"anon":2}', later, 4))
    expect(indexEntries(e, 'ada') + indexEntries(e, 'bob')).toBe(0)
    // A failed versioned update changes nothing, the index included.
    await e.update(key, signedIn(key, 'ada', '{"ada":2}', later, 5), 4)
    await expectSessionError(e.update(key, signedIn(key, 'bob', '{}', later, 9), 1), 'VERSION_CONFLICT')
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(key)])
    expect(await e.listUser('bob', now)).toEqual([])
  })

  it('a cycled key stays indexed under the new handle; the old one is gone', async () => {
    const e = open({ path: freshFile() })
    const old = newKey()
    await e.create(old, signedIn(old, 'ada'))
    // What core's cycleKey does: create under the new key, destroy the old one.
    const cycled = newKey()
    await e.create(cycled, signedIn(cycled, 'ada', '{}', later, 2))
    await e.destroy(old)
    expect(handles(await e.listUser('ada', now))).toEqual([sessionHandle(cycled)])
  })

  it('expired sessions are never listed; destroyUser may count them; purge leaves no index entry', async () => {
    const e = open({ path: freshFile() })
    const live = await sessionsOf(e, 'ada', 2, muchLater)
    await sessionsOf(e, 'ada', 3, later)
    expect(handles(await e.listUser('ada', later))).toEqual(handlesOf(live))
    expect(await e.listUser('ada', muchLater)).toEqual([])
    expect(await e.purgeExpired(later)).toBe(3)
    expect(indexEntries(e, 'ada')).toBe(2)
    expect(await e.destroyUser('ada')).toBe(2)
    expect(indexEntries(e, 'ada')).toBe(0)
  })

  it('bounded growth: after 300 create/cycle/update/destroy/expire+purge cycles the index holds nothing for the user', async () => {
    const e = open({ path: freshFile() })
    const cycles = 300
    for (let i = 0; i < cycles; i++) {
      const key = newKey()
      await e.create(key, signedIn(key, 'ada', `{"i":${i}}`, later))
      const cycled = newKey()
      await e.create(cycled, signedIn(cycled, 'ada', `{"i":${i}}`, later, 2))
      await e.destroy(key)
      await e.update(cycled, signedIn(cycled, 'ada', `{"i":${i},"saved":1}`, later, 3), 2)
      switch (i % 3) {
        case 0:
          await e.destroy(cycled) // logout
          break
        case 1:
          expect(await e.destroyUser('ada', { handle: sessionHandle(cycled) })).toBe(1) // signed out from another device
          break
        default:
          expect(await e.purgeExpired(later)).toBe(1) // expired, then purged
      }
      expect(indexEntries(e, 'ada')).toBe(0)
    }
    expect(e.database.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get()).toBe(0)
    expect(await e.listUser('ada', now)).toEqual([])
  })

  it('the shared churn (every way a record leaves a listing, 300 rounds) leaves the index where it started', async () => {
    const e = open({ path: freshFile() })
    const entries = () =>
      e.database
        .prepare(`SELECT count(*) FROM ${DEFAULT_TABLE} INDEXED BY "${DEFAULT_TABLE}_user_id" WHERE user_id IS NOT NULL`)
        .pluck()
        .get()
    const key = newKey()
    await e.create(key, signedIn(key, 'bystander'))
    expect(entries()).toBe(1)
    const { created } = await churnUserIndex(e, { cycles: 300, now })
    expect(created).toBe(2100)
    expect(entries()).toBe(1)
    expect(e.database.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get()).toBe(1)
  })

  it('user ids and handles are bound as values: quotes, NUL and SQL in them are plain text', async () => {
    const e = open({ path: freshFile() })
    const odd = ["o'brien", 'a"b', 'x; DROP TABLE sess_sessions; --', 'nul\u0000byte', 'Zoë 🐍', '%', '_']
    for (const userId of odd) await sessionsOf(e, userId, 1)
    for (const userId of odd) expect((await e.listUser(userId, now)).map((r) => r.userId)).toEqual([userId])
    expect(await e.destroyUser('%')).toBe(1)
    expect(await e.destroyUser('x; DROP TABLE sess_sessions; --')).toBe(1)
    expect(e.database.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get()).toBe(odd.length - 2)
  })
})

describe('sqlite: the user index across processes', () => {
  it('a second process sees a destroyUser at once, and its own destroyUser is seen here at once', async () => {
    const path = freshFile()
    const e = open({ path })
    const child = await startChild(path)
    expect(await child.ask('open')).toBe('opened')
    const ada = await sessionsOf(e, 'ada', 3)
    const bob = await sessionsOf(e, 'bob', 2)
    for (const key of ada) expect(await child.ask(`read ${key}`)).toBe('hit')
    expect(await child.ask('list ada')).toBe(`listed ${handlesOf(ada).join(',')}`)

    expect(await e.destroyUser('ada', { exceptHandle: sessionHandle(ada[0]!) })).toBe(2)
    expect(await child.ask(`read ${ada[0]}`)).toBe('hit')
    for (const key of ada.slice(1)) expect(await child.ask(`read ${key}`)).toBe('miss')
    expect(await child.ask('list ada')).toBe(`listed ${sessionHandle(ada[0]!)}`)

    expect(await child.ask(`destroy bob ${sessionHandle(bob[1]!)} -`)).toBe('removed 1')
    expect(await e.read(bob[1]!, now)).toBeNull()
    expect(await child.ask('destroy bob - -')).toBe('removed 1')
    expect(await e.read(bob[0]!, now)).toBeNull()
    expect(await e.listUser('bob', now)).toEqual([])
    expect(await child.close()).toBe(0)
  })
})

describe('sqlite: stats', () => {
  it('counts the live sessions, the signed-in ones, their expiry range and the bytes of the table', async () => {
    const e = open({ path: freshFile() })
    const empty = await e.stats(now)
    expect(empty).toMatchObject({ sessions: 0, earliestExpiry: null, latestExpiry: null, signedIn: 0 })
    expect(empty.bytes).toBeGreaterThan(0) // the table's and its indexes' root pages

    const soon = new Date(Date.UTC(2030, 0, 1, 12))
    await sessionsOf(e, 'ada', 2, later)
    await sessionsOf(e, 'bob', 1, muchLater)
    await e.create(newKey(), record('{}', soon))
    await e.create(newKey(), record('{}', now)) // expired at `now`: not counted
    const before = await e.stats(now)
    expect(before).toMatchObject({ sessions: 4, earliestExpiry: soon, latestExpiry: muchLater, signedIn: 3 })

    await e.create(newKey(), record(JSON.stringify({ d: { blob: 'x'.repeat(200_000) }, c: 1 }), later))
    const after = await e.stats(now)
    expect(after.sessions).toBe(5)
    expect(after.bytes! - before.bytes!).toBeGreaterThan(200_000)
    expect(await e.stats(muchLater)).toMatchObject({ sessions: 0, earliestExpiry: null, latestExpiry: null, signedIn: 0 })
  })

  it('leaves corrupt expiries out of the counts', async () => {
    const e = open({ path: freshFile() })
    await sessionsOf(e, 'ada', 1)
    const insert = e.database.prepare(`INSERT INTO ${DEFAULT_TABLE} (key_hash, payload, expires_at, version) VALUES (?, '{}', ?, 1)`)
    insert.run('a'.repeat(64), 'tomorrow')
    insert.run('b'.repeat(64), 9e15)
    expect(await e.stats(now)).toMatchObject({ sessions: 1, earliestExpiry: later, latestExpiry: later, signedIn: 1 })
  })

  it('through a database the app owns, in any journal mode', async () => {
    const db = new Database(freshFile())
    onTestFinished(() => void db.close())
    const e = sqliteEngine({ database: db, table: 'app_sessions' })
    await sessionsOf(e, 'ada', 2)
    const stats = await e.stats(now)
    expect(stats).toMatchObject({ sessions: 2, signedIn: 2 })
    expect(stats.bytes).toBeGreaterThan(0)
  })
})
