import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createSessions } from '@sess/core'
import { newKey, record } from '@sess/engine-tests'
import Database from 'better-sqlite3'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_TABLE, sqliteEngine, type SqliteEngineOptions } from './index.js'
import { sha256, tempDir } from './test-support.js'

const dir = tempDir('sess-sqlite-rest-')
let count = 0
const freshFile = () => join(dir, `rest${++count}.sqlite3`)
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

function open(options: SqliteEngineOptions) {
  const engine = sqliteEngine(options)
  onTestFinished(() => engine.dispose())
  return engine
}

/** Every byte SQLite keeps for `path`: the database and its WAL. */
function bytesOnDisk(path: string): string {
  let text = readFileSync(path).toString('latin1')
  try {
    text += readFileSync(`${path}-wal`).toString('latin1')
  } catch {
    // no WAL file
  }
  return text
}

describe('sqlite: session keys at rest (hole 2: raw keys were stored)', () => {
  it('stores only the SHA-256 of the key: the key is nowhere in the file or its WAL', async () => {
    const path = freshFile()
    const e = open({ path })
    const sessions = createSessions<{ user?: string }>({ engine: e })
    const session = sessions.load(undefined)
    await session.set('user', 'ada')
    await sessions.commit(session)
    const key = session.key!
    const rows = e.database.prepare(`SELECT key_hash FROM ${DEFAULT_TABLE}`).pluck().all()
    expect(rows).toEqual([sha256(key)])
    expect(bytesOnDisk(path)).not.toContain(key)
    expect(await sessions.load(`sessionid=${key}`).get('user')).toBe('ada')
  })

  it('creates the database file, its -wal and its -shm with mode 0600', async () => {
    const path = freshFile()
    const e = open({ path })
    await e.create(newKey(), record('{}', later))
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect((statSync(file).mode & 0o777).toString(8)).toBe('600')
  })

  it('migrates a table of the old shape (raw keys): visitors stay logged in, and the raw keys are gone from the file', async () => {
    const path = freshFile()
    const old = new Database(path)
    old.pragma('journal_mode = WAL')
    old.exec(
      `CREATE TABLE ${DEFAULT_TABLE} (key TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL);` +
        `CREATE INDEX ${DEFAULT_TABLE}_expires_at ON ${DEFAULT_TABLE} (expires_at);`,
    )
    const keys = Array.from({ length: 50 }, () => newKey())
    const insert = old.prepare(`INSERT INTO ${DEFAULT_TABLE} VALUES (?, ?, ?, ?)`)
    for (const [i, key] of keys.entries()) insert.run(key, `{"i":${i}}`, later.getTime(), i + 1)
    old.close()
    expect(bytesOnDisk(path)).toContain(keys[0])

    const e = open({ path })
    for (const [i, key] of keys.entries())
      expect(await e.read(key, now)).toEqual({ payload: `{"i":${i}}`, expiresAt: later, version: i + 1 })
    const columns = e.database.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(DEFAULT_TABLE)
    expect(columns).toEqual(['key_hash', 'payload', 'expires_at', 'version', 'user_id', 'handle'])
    const disk = bytesOnDisk(path)
    for (const key of keys) expect(disk).not.toContain(key)
    // A versioned save works on a migrated row, and the migration runs only once.
    await e.update(keys[0]!, record('{"i":"saved"}', later, 2), 1)
    await e.dispose()
    const again = open({ path })
    expect((await again.read(keys[0]!, now))?.payload).toBe('{"i":"saved"}')
  })
})
