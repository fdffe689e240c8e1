import { createRequire } from 'node:module'
import { join } from 'node:path'
import { importExports } from '../sess.js'
import { fill, readOp, readUpdateOp } from './engine-ops.js'
import { DAY_MS, keys, PAYLOAD, type Micro } from './micro.js'
import type { EngineEnv } from './types.js'

const require = createRequire(import.meta.url)
const N = 10_000

/**
 * @sess/sqlite against raw better-sqlite3 prepared statements doing the same work: the same schema and
 * statements, WAL + NORMAL, both files filled the same way (one autocommit insert per session, then a
 * checkpoint), batches interleaved.
 */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const Database = require('better-sqlite3')
  const db = new Database(join(env.dataDir, 'raw.sqlite3'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(
    'CREATE TABLE s (key TEXT PRIMARY KEY NOT NULL, payload TEXT NOT NULL, expires_at INTEGER NOT NULL, version INTEGER NOT NULL); CREATE INDEX s_exp ON s (expires_at)',
  )
  const ks = keys(N)
  const exp = Date.now() + 14 * DAY_MS
  const insert = db.prepare('INSERT INTO s VALUES (?, ?, ?, 1)')
  for (const k of ks) insert.run(k, PAYLOAD, exp)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const read = db.prepare('SELECT payload, expires_at, version FROM s WHERE key = ? AND expires_at > ?')
  const update = db.prepare('UPDATE s SET payload = ?, expires_at = ?, version = ? WHERE key = ? AND version = ?')

  const { sqliteEngine } = await importExports('@sess/sqlite', ['sqliteEngine'])
  const engine = sqliteEngine({ path: join(env.dataDir, 'sess.sqlite3') })
  const engineKeys = await fill(engine, N)
  engine.database?.pragma('wal_checkpoint(TRUNCATE)')

  const now = Date.now()
  let i = 0
  await m.compare([
    [
      'raw better-sqlite3 read',
      () => {
        if (read.get(ks[i++ % N], now) === undefined) throw new Error('miss')
      },
    ],
    readOp('@sess/sqlite', engine, engineKeys),
  ])
  await m.compare([
    [
      'raw better-sqlite3 read+update',
      () => {
        const key = ks[i++ % N]
        const row = read.get(key, now) as { payload: string; version: number }
        if (update.run(row.payload, exp, row.version + 1, key, row.version).changes !== 1) throw new Error('conflict')
      },
    ],
    readUpdateOp('@sess/sqlite', engine, engineKeys),
  ])
  db.close()
  await engine.dispose?.()
}
