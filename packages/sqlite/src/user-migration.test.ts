import { join } from 'node:path'
import { sessionHandle } from '@sess/core/engine'
import { newKey, record } from '@sess/engine-tests'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_TABLE, sqliteEngine, type SqliteEngineOptions } from './index.js'
import { startChild } from './test-child.js'
import { sha256, tempDir } from './test-support.js'

const dir = tempDir('sess-sqlite-migrate-')
let count = 0
const freshFile = () => join(dir, `old${++count}.sqlite3`)
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

function open(options: SqliteEngineOptions) {
  const engine = sqliteEngine(options)
  onTestFinished(() => engine.dispose())
  return engine
}

/** The DDL of the previous version (key_hash, no user columns), verbatim. */
const PREVIOUS_DDL =
  `CREATE TABLE IF NOT EXISTS "${DEFAULT_TABLE}" (key_hash TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);` +
  `CREATE INDEX IF NOT EXISTS "${DEFAULT_TABLE}_expires_at" ON "${DEFAULT_TABLE}" (expires_at);`

/** A file the previous version made (WAL), holding `keys.length` sessions; the file is closed again. */
function previousFile(keys: string[], ddl = PREVIOUS_DDL): string {
  const path = freshFile()
  const old = new Database(path)
  old.pragma('journal_mode = WAL')
  old.exec(ddl)
  const insert = old.prepare(`INSERT INTO ${DEFAULT_TABLE} VALUES (?, ?, ?, ?)`)
  const rawKeys = ddl.includes('key TEXT PRIMARY KEY')
  for (const [i, key] of keys.entries()) insert.run(rawKeys ? key : sha256(key), `{"i":${i}}`, later.getTime(), i + 1)
  old.close()
  return path
}

function shape(path: string) {
  const db = new Database(path, { readonly: true })
  try {
    return {
      columns: db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(DEFAULT_TABLE),
      indexes: db
        .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`)
        .pluck()
        .all(DEFAULT_TABLE),
      rows: db.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get(),
      integrity: db.pragma('integrity_check', { simple: true }),
    }
  } finally {
    db.close()
  }
}

const CURRENT = {
  columns: ['key_hash', 'payload', 'expires_at', 'version', 'user_id', 'handle'],
  indexes: [`${DEFAULT_TABLE}_expires_at`, `${DEFAULT_TABLE}_user_id`],
}

describe('sqlite: migrating a table of the previous shape to the user index', () => {
  it('adds user_id, handle and the partial index in place: sessions stay, anonymous, and can sign in', async () => {
    const keys = Array.from({ length: 20 }, () => newKey())
    const path = previousFile(keys)
    const e = open({ path })
    expect(shape(path)).toEqual({ ...CURRENT, rows: 20, integrity: 'ok' })
    for (const [i, key] of keys.entries()) expect(await e.read(key, now)).toEqual(record(`{"i":${i}}`, later, i + 1))
    const [first] = keys
    await e.update(first!, { ...record('{"signed":1}', later, 2), userId: 'ada', handle: sessionHandle(first!) }, 1)
    expect((await e.listUser('ada', now)).map((r) => r.handle)).toEqual([sessionHandle(first!)])
    expect(await e.stats(now)).toMatchObject({ sessions: 20, signedIn: 1 })
    await e.dispose()
    // Opening it again changes nothing and loses nothing.
    const again = open({ path })
    expect((await again.listUser('ada', now)).map((r) => r.payload)).toEqual(['{"signed":1}'])
    expect(shape(path)).toEqual({ ...CURRENT, rows: 20, integrity: 'ok' })
  })

  it('migrates a table with raw keys (before 0.1) straight to the current shape', async () => {
    const keys = [newKey(), newKey()]
    const path = previousFile(
      keys,
      `CREATE TABLE ${DEFAULT_TABLE} (key TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);` +
        `CREATE INDEX ${DEFAULT_TABLE}_expires_at ON ${DEFAULT_TABLE} (expires_at);`,
    )
    const e = open({ path })
    expect(shape(path)).toEqual({ ...CURRENT, rows: 2, integrity: 'ok' })
    expect(await e.read(keys[1]!, now)).toEqual(record('{"i":1}', later, 2))
  })

  it('an old table in a database the app owns is migrated too; a current one opens read-only', async () => {
    const keys = [newKey()]
    const path = previousFile(keys)
    const db = new Database(path)
    onTestFinished(() => void db.close())
    sqliteEngine({ database: db })
    expect(shape(path)).toMatchObject(CURRENT)
    const readonly = new Database(path, { readonly: true })
    onTestFinished(() => void readonly.close())
    expect(await sqliteEngine({ database: readonly }).read(keys[0]!, now)).toEqual(record('{"i":0}', later, 1))
  })

  it('leaves a table of another shape alone and fails at start-up with ENGINE', () => {
    const path = freshFile()
    const db = new Database(path)
    onTestFinished(() => void db.close())
    db.exec(`CREATE TABLE ${DEFAULT_TABLE} (id INTEGER PRIMARY KEY, expires_at INTEGER, data TEXT)`)
    let error: unknown
    try {
      sqliteEngine({ path })
    } catch (e) {
      error = e
    }
    expect((error as { code?: string }).code).toBe('ENGINE')
    expect(db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(DEFAULT_TABLE)).toEqual(['id', 'expires_at', 'data'])
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'index'`).pluck().get()).toBe(0)
  })

  it('two processes opening one old file at the same moment migrate it once, and both work (5 rounds)', async () => {
    for (let round = 0; round < 5; round++) {
      const keys = Array.from({ length: 200 }, () => newKey())
      // Odd rounds start from raw keys, even ones from the previous key_hash shape.
      const path =
        round % 2 === 0
          ? previousFile(keys)
          : previousFile(
              keys,
              `CREATE TABLE ${DEFAULT_TABLE} (key TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);`,
            )
      const children = await Promise.all([startChild(path), startChild(path)])
      expect(await Promise.all(children.map((c) => c.ask('open')))).toEqual(['opened', 'opened'])
      expect(await Promise.all(children.map((c) => c.ask(`read ${keys[round]}`)))).toEqual(['hit', 'hit'])
      expect(await Promise.all(children.map((c) => c.close()))).toEqual([0, 0])
      expect(shape(path)).toEqual({ ...CURRENT, rows: 200, integrity: 'ok' })
    }
  }, 120_000)
})
