import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cachedDbEngine } from '@sess/cached-db'
import type { SessionEngine } from '@sess/core'
import { fileEngine } from '@sess/file'
import { memoryEngine } from '@sess/memory'
import { postgresEngine } from '@sess/postgres'
import { redisEngine } from '@sess/redis'
import { sqliteEngine } from '@sess/sqlite'
import { createClient } from 'redis'

/** Where an engine's data lives, so that a second process can open the same storage. */
export interface EngineSpec {
  kind: 'memory' | 'sqlite' | 'file' | 'cached-db' | 'redis' | 'postgres'
  /** SQLite file, file-engine directory, Redis key prefix or PostgreSQL table, made fresh per spec. */
  place: string
}

export const REDIS_URL = process.env.SESS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const POSTGRES_URL = process.env.SESS_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** A fresh storage place for `kind`. */
export function freshSpec(kind: EngineSpec['kind']): EngineSpec {
  const id = randomBytes(6).toString('hex')
  const dir = () => mkdtempSync(join(tmpdir(), `sess-guarantees-${kind}-`))
  switch (kind) {
    case 'sqlite':
    case 'cached-db':
      return { kind, place: join(dir(), 'sessions.sqlite3') }
    case 'file':
      return { kind, place: dir() }
    case 'redis':
      return { kind, place: `sess-guarantees:${id}:` }
    case 'postgres':
      return { kind, place: `sess_guarantees_${id}` }
    default:
      return { kind, place: '' }
  }
}

/** Opens the engine a spec names (the same storage from any process). */
export async function openEngine(spec: EngineSpec): Promise<SessionEngine> {
  switch (spec.kind) {
    case 'memory':
      return memoryEngine()
    case 'sqlite':
      return sqliteEngine({ path: spec.place })
    case 'file':
      return fileEngine({ dir: spec.place })
    case 'cached-db':
      return cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path: spec.place }) })
    case 'redis': {
      const client = createClient({ url: REDIS_URL })
      client.on('error', () => undefined)
      await client.connect()
      const engine = redisEngine({ client, prefix: spec.place })
      const dispose = engine.dispose?.bind(engine)
      return Object.assign(engine, {
        async dispose() {
          await dispose?.()
          await client.quit().catch(() => undefined)
        },
      })
    }
    case 'postgres':
      return postgresEngine({ connectionString: POSTGRES_URL, table: spec.place })
  }
}

/** Removes what a spec's storage left in the shared services (a PostgreSQL table, Redis keys); temp dirs stay in tmp. */
export async function removeStorage(spec: EngineSpec): Promise<void> {
  if (spec.kind === 'postgres') {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    try {
      await client.query(`DROP TABLE IF EXISTS "${spec.place}"`)
    } finally {
      await client.end()
    }
  } else if (spec.kind === 'redis') {
    const client = createClient({ url: REDIS_URL })
    client.on('error', () => undefined)
    await client.connect()
    try {
      for await (const keys of client.scanIterator({ MATCH: `${spec.place}*`, COUNT: 500 })) {
        if (keys.length > 0) await client.del(keys)
      }
    } finally {
      await client.quit()
    }
  }
}
