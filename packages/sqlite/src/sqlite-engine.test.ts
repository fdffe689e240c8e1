import { createRequire } from 'node:module'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSessions, isSessionError } from '@sess/core'
import { CookieJar, createHarness, expectSessionError, ManualClock, newKey, record } from '@sess/engine-tests'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_TABLE, sqliteEngine, type SqliteEngine, type SqliteEngineOptions } from './index.js'
import { sha256, tempDir } from './test-support.js'

const dir = tempDir()
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
let fileCount = 0
const freshFile = () => join(dir, `t${++fileCount}.sqlite3`)
/** tsx's command-line entry (a devDependency), to run TypeScript in a child process. */
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')

/** An engine disposed when the test finishes. */
function open(options: SqliteEngineOptions): SqliteEngine {
  const engine = sqliteEngine(options)
  onTestFinished(() => engine.dispose())
  return engine
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

describe('sqlite: the file', () => {
  it('opens in WAL mode with synchronous NORMAL and the busy timeout', () => {
    const e = open({ path: freshFile() })
    expect(e.capabilities).toEqual({ durable: true, touch: true, purge: true, userIndex: true })
    expect(e.database.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(e.database.pragma('synchronous', { simple: true })).toBe(1)
    expect(e.database.pragma('busy_timeout', { simple: true })).toBe(5000)
  })

  it("honours synchronous: 'full' and busyTimeoutMs", () => {
    const e = open({ path: freshFile(), synchronous: 'full', busyTimeoutMs: 250 })
    expect(e.database.pragma('synchronous', { simple: true })).toBe(2)
    expect(e.database.pragma('busy_timeout', { simple: true })).toBe(250)
  })

  it('creates the table with its expiry index and user index, and purging uses the expiry index', () => {
    const path = freshFile()
    open({ path })
    const db = new Database(path, { readonly: true })
    onTestFinished(() => void db.close())
    const columns = db.prepare(`SELECT name, type, pk FROM pragma_table_info(?)`).all(DEFAULT_TABLE)
    expect(columns).toEqual([
      { name: 'key_hash', type: 'TEXT', pk: 1 },
      { name: 'payload', type: 'TEXT', pk: 0 },
      { name: 'expires_at', type: 'INTEGER', pk: 0 },
      { name: 'version', type: 'INTEGER', pk: 0 },
      { name: 'user_id', type: 'TEXT', pk: 0 },
      { name: 'handle', type: 'TEXT', pk: 0 },
    ])
    const indexes = db.prepare(`SELECT name, partial FROM pragma_index_list(?) WHERE origin = 'c' ORDER BY name`).all(DEFAULT_TABLE)
    expect(indexes).toEqual([
      { name: `${DEFAULT_TABLE}_expires_at`, partial: 0 },
      { name: `${DEFAULT_TABLE}_user_id`, partial: 1 },
    ])
    expect(db.prepare(`SELECT name FROM pragma_index_info(?)`).pluck().all(`${DEFAULT_TABLE}_expires_at`)).toEqual(['expires_at'])
    const plan = db.prepare(`EXPLAIN QUERY PLAN DELETE FROM ${DEFAULT_TABLE} WHERE expires_at <= ?`).all(0) as { detail: string }[]
    expect(plan.map((p) => p.detail).join(' ')).toContain(`${DEFAULT_TABLE}_expires_at`)
  })

  it('stores expires_at as integer milliseconds and the payload verbatim', async () => {
    const e = open({ path: freshFile() })
    const key = newKey()
    await e.create(key, record('{"x":"é"}', new Date(1_900_000_000_123), 3))
    const row = e.database
      .prepare(`SELECT payload, expires_at, typeof(expires_at) AS t, version FROM ${DEFAULT_TABLE} WHERE key_hash = ?`)
      .get(sha256(key))
    expect(row).toEqual({ payload: '{"x":"é"}', expires_at: 1_900_000_000_123, t: 'integer', version: 3 })
  })

  it('keeps its data across a reopen of the file', async () => {
    const path = freshFile()
    const first = sqliteEngine({ path })
    const key = newKey()
    await first.create(key, record('{"kept":1}', later, 5))
    await first.dispose()
    const second = open({ path })
    expect(await second.read(key, now)).toEqual({ payload: '{"kept":1}', expiresAt: later, version: 5 })
  })

  it('two engine instances on one file see each other’s writes, versions and deletes', async () => {
    const path = freshFile()
    const a = open({ path })
    const b = open({ path })
    const key = newKey()
    await a.create(key, record('{"v":1}', later, 1))
    expect((await b.read(key, now))?.payload).toBe('{"v":1}')
    await expectSessionError(b.create(key, record('{}', later)), 'KEY_CONFLICT')
    await b.update(key, record('{"v":2}', later, 2), 1)
    await expectSessionError(a.update(key, record('{"stale":1}', later, 2), 1), 'VERSION_CONFLICT')
    expect((await a.read(key, now))?.payload).toBe('{"v":2}')
    await a.destroy(key)
    await expectSessionError(b.update(key, record('{"v":3}', later, 3), 2), 'NOT_FOUND')
    expect(await b.read(key, now)).toBeNull()
  })

  it('an expired row that is not purged yet still conflicts on create (the key is never reused)', async () => {
    const e = open({ path: freshFile() })
    const key = newKey()
    await e.create(key, record('{"old":1}', now))
    expect(await e.read(key, later)).toBeNull()
    await expectSessionError(e.create(key, record('{"new":1}', later)), 'KEY_CONFLICT')
    expect(await e.purgeExpired(later)).toBe(1)
    await e.create(key, record('{"new":1}', later))
    expect((await e.read(key, now))?.payload).toBe('{"new":1}')
  })
})

describe('sqlite: several processes on one file', () => {
  it('two processes saving at the same time: no SQLITE_BUSY surfaces, no save is lost', async () => {
    const path = freshFile()
    const e = open({ path })
    const count = 2000
    const writers = ['a', 'b'].map((prefix) => {
      const child = spawn(
        process.execPath,
        [tsxCli, '--conditions=@sess/source', fileURLToPath(new URL('./test-writer.ts', import.meta.url)), path, prefix, String(count)],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      )
      onTestFinished(() => void child.kill())
      let out = ''
      const ready = new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          if (out.includes('ready')) resolve()
        })
      })
      const exit = new Promise<[number | null, string]>((resolve) => child.on('close', (code) => resolve([code, out])))
      return { child, ready, exit }
    })
    await Promise.all(writers.map((w) => w.ready))
    for (const w of writers) w.child.stdin.end('go\n')
    const results = await Promise.all(writers.map((w) => w.exit))
    expect(results).toEqual([
      [0, `ready\nok ${count}\n`],
      [0, `ready\nok ${count}\n`],
    ])
    const rows = e.database.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE} WHERE version = 2 AND payload LIKE '%"saved":2}'`).pluck().get()
    expect(rows).toBe(2 * count)
  })
})

describe('sqlite: a database the app owns', () => {
  it('creates its table in it, leaves its pragmas alone and never closes it', async () => {
    const db = new Database(freshFile())
    onTestFinished(() => void db.close())
    const e = sqliteEngine({ database: db })
    expect(e.database).toBe(db)
    const key = newKey()
    await e.create(key, record('{"own":1}', later))
    expect(db.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get()).toBe(1)
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete')
    await e.dispose()
    await e.dispose()
    expect(db.open).toBe(true)
    expect(db.prepare(`SELECT payload FROM ${DEFAULT_TABLE} WHERE key_hash = ?`).pluck().get(sha256(key))).toBe('{"own":1}')
  })

  it('reads plain numbers even when the database defaults to BigInt', async () => {
    const db = new Database(freshFile())
    onTestFinished(() => void db.close())
    db.defaultSafeIntegers(true)
    const e = sqliteEngine({ database: db })
    const key = newKey()
    await e.create(key, record('{}', later, 2))
    expect(await e.read(key, now)).toEqual({ payload: '{}', expiresAt: later, version: 2 })
  })

  it('refuses a closed database, a non-database, both path and database, and pragma options with it', () => {
    const db = new Database(freshFile())
    db.close()
    const live = new Database(freshFile())
    onTestFinished(() => void live.close())
    for (const options of [
      { database: db },
      { database: {} as Database.Database },
      { database: live, path: freshFile() },
      { database: live, busyTimeoutMs: 10 },
      { database: live, synchronous: 'full' as const },
    ]) {
      expect(
        isSessionError(
          thrown(() => sqliteEngine(options)),
          'CONFIG',
        ),
      ).toBe(true)
    }
  })
})

describe('sqlite: options', () => {
  it.each([
    ['a table name with SQL in it', { table: 'x; DROP TABLE' }],
    ['a quoted table name', { table: 'x"y' }],
    ['a table name starting with a digit', { table: '1sessions' }],
    ['an empty table name', { table: '' }],
    ['an internal table name', { table: 'sqlite_master' }],
    ['a 64-character table name', { table: 'a'.repeat(64) }],
    ['a non-string table name', { table: 42 }],
    ['a negative busyTimeoutMs', { busyTimeoutMs: -1 }],
    ['a fractional busyTimeoutMs', { busyTimeoutMs: 1.5 }],
    ['an unknown synchronous level', { synchronous: 'off' }],
    ['an empty path', { path: '' }],
    ['an in-memory path', { path: ':memory:' }],
    ['options that are not an object', 'sessions.db'],
  ])('refuses %s with CONFIG, before touching any file', (_, options) => {
    const error = thrown(() => sqliteEngine(options as SqliteEngineOptions))
    expect(isSessionError(error, 'CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(/^\[@sess\/sqlite\] /)
  })

  it('leaves a table named by someone else intact when the name is refused', () => {
    const path = freshFile()
    const db = new Database(path)
    onTestFinished(() => void db.close())
    db.exec('CREATE TABLE x (a)')
    expect(
      isSessionError(
        thrown(() => sqliteEngine({ path, table: 'x; DROP TABLE x' })),
        'CONFIG',
      ),
    ).toBe(true)
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'x'`).pluck().get()).toBe(1)
  })

  it('uses a custom table name', async () => {
    const e = open({ path: freshFile(), table: 'app_sessions' })
    await e.create(newKey(), record())
    expect(e.database.prepare(`SELECT count(*) FROM app_sessions`).pluck().get()).toBe(1)
    expect(e.database.prepare(`SELECT count(*) FROM sqlite_master WHERE name = ?`).pluck().get(DEFAULT_TABLE)).toBe(0)
  })

  it('defaults to sessions.sqlite3 in the working directory', async () => {
    const cwd = process.cwd()
    const here = tempDir('sess-sqlite-cwd-')
    process.chdir(here)
    try {
      const e = open({})
      expect(e.database.name).toBe(join(here, 'sessions.sqlite3'))
    } finally {
      process.chdir(cwd)
    }
  })
})

describe('sqlite: failures are SessionError(ENGINE), never a crash', () => {
  it('a file that is not a database fails at start-up with ENGINE', () => {
    const path = freshFile()
    writeFileSync(path, 'this is not a database '.repeat(100))
    const error = thrown(() => sqliteEngine({ path }))
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as Error).message).toMatch(/^\[@sess\/sqlite\] cannot open .*not a database/)
    expect((error as Error).cause).toBeInstanceOf(Error)
  })

  it('a directory that does not exist fails at start-up with ENGINE', () => {
    expect(
      isSessionError(
        thrown(() => sqliteEngine({ path: join(dir, 'missing', 'x.sqlite3') })),
        'ENGINE',
      ),
    ).toBe(true)
  })

  it('a read-only database: reads work, writes reject with ENGINE', async () => {
    const path = freshFile()
    const writer = sqliteEngine({ path })
    const key = newKey()
    await writer.create(key, record('{"ro":1}', later))
    await writer.dispose()
    const db = new Database(path, { readonly: true })
    onTestFinished(() => void db.close())
    const e = sqliteEngine({ database: db })
    expect((await e.read(key, now))?.payload).toBe('{"ro":1}')
    for (const attempt of [
      e.create(newKey(), record()),
      e.update(key, record('{}', later, 2), 1),
      e.update(key, record('{}', later, 2)),
      e.destroy(key),
      e.touch(key, later),
      e.purgeExpired(later),
      e.destroyUser('ada'),
    ]) {
      const error = await attempt.then(
        () => null,
        (err: unknown) => err,
      )
      expect(isSessionError(error, 'ENGINE')).toBe(true)
      expect((error as Error).message).toMatch(/readonly/)
    }
  })

  it('a database closed underneath the engine: every call rejects with ENGINE', async () => {
    const e = sqliteEngine({ path: freshFile() })
    e.database.close()
    for (const attempt of [
      e.read(newKey(), now),
      e.create(newKey(), record()),
      e.update(newKey(), record(), 1),
      e.destroy(newKey()),
      e.touch(newKey(), later),
      e.purgeExpired(now),
      e.listUser('ada', now),
      e.destroyUser('ada', { exceptHandle: 'AAAAAAAAAAAAAAAA' }),
      e.stats(now),
    ]) {
      expect(
        isSessionError(
          await attempt.then(
            () => null,
            (err: unknown) => err,
          ),
          'ENGINE',
        ),
      ).toBe(true)
    }
    await e.dispose()
  })

  it('through createSessions, a failing save rejects the commit with a 500, never a silent success', async () => {
    const e = sqliteEngine({ path: freshFile() })
    const h = createHarness<{ user?: string }>(e)
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('user', 'ada'))
    e.database.close()
    const error = await h
      .request(jar, (s) => s.set('user', 'bob'))
      .then(
        () => null,
        (err: unknown) => err,
      )
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as { status: number }).status).toBe(500)
  })

  it('dispose closes the file it opened, idempotently', async () => {
    const e = sqliteEngine({ path: freshFile() })
    await e.dispose()
    expect(e.database.open).toBe(false)
    await e.dispose()
  })
})

describe('sqlite: purging expired sessions', () => {
  it('sessions.purgeExpired() removes exactly the expired rows', async () => {
    const clock = new ManualClock()
    const e = open({ path: freshFile() })
    const sessions = createSessions<{ user?: string }>({ engine: e, now: clock.now, maxAge: 60 })
    const save = async (user: string) => {
      const s = sessions.load(undefined)
      await s.set('user', user)
      await sessions.commit(s)
      return s.key!
    }
    const old = await save('old')
    clock.advance(30)
    const young = await save('young')
    clock.advance(30)
    const count = () => e.database.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get()
    expect(count()).toBe(2)
    expect(await sessions.purgeExpired()).toBe(1)
    expect(count()).toBe(1)
    expect(await sessions.exists(young)).toBe(true)
    expect(await sessions.exists(old)).toBe(false)
  })
})
