import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createSessions, type Sessions } from '@sess/core'
import { fileEngine } from '@sess/file'
import { postgresEngine } from '@sess/postgres'
import { redisEngine } from '@sess/redis'
import { sqliteEngine } from '@sess/sqlite'
import pg from 'pg'
import { createClient } from 'redis'

/** The local services (see scripts/services.mjs). */
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = 'redis://127.0.0.1:6379'

/** Options of the test process's own `Sessions` over an engine's storage (a clock for seeding). */
export interface OpenOptions {
  now?: () => number
  maxAge?: number
}

/** One engine as the CLI tests use it: a config module for an app directory, and the same storage from the test. */
export interface CliEngine {
  /** The store's name, as the CLI prints it. */
  name: string
  /** The engine removes expired sessions on `purgeExpired` (otherwise its storage expires them). */
  purge: boolean
  /** The source of sess.config.ts for `dir`. */
  config(dir: string): string
  /** A `Sessions` in the test process over the storage the config uses (disposed by `close`). */
  open(dir: string, options?: OpenOptions): Promise<Sessions>
  /** Removes what the tests stored (a table, keys under a prefix); idempotent. */
  close(): Promise<void>
}

const imports = (...lines: string[]) => ["import { createSessions } from '@sess/core'", ...lines].join('\n')
const suffix = () => `${process.pid}_${randomBytes(3).toString('hex')}`

/** SQLite: a file in the app directory. */
export function sqliteCli(): CliEngine {
  return {
    name: 'sqlite',
    purge: true,
    config: () =>
      `${imports("import { sqliteEngine } from '@sess/sqlite'")}\nexport const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })\n`,
    open: async (dir, options = {}) => createSessions({ engine: sqliteEngine({ path: join(dir, 'sessions.db') }), ...options }),
    close: async () => {},
  }
}

/** The file engine: a directory in the app directory. */
export function fileCli(): CliEngine {
  return {
    name: 'file',
    purge: true,
    config: () =>
      `${imports("import { fileEngine } from '@sess/file'")}\nexport const sessions = createSessions({ engine: fileEngine({ dir: 'var/sessions' }) })\n`,
    open: async (dir, options = {}) => createSessions({ engine: fileEngine({ dir: join(dir, 'var', 'sessions') }), ...options }),
    close: async () => {},
  }
}

/** PostgreSQL: a table of its own in the shared database, dropped by `close`. */
export function postgresCli(): CliEngine {
  const table = `sess_cli_${suffix()}`
  return {
    name: 'postgres',
    purge: true,
    config: () =>
      `${imports("import { postgresEngine } from '@sess/postgres'")}\nexport const sessions = createSessions({ engine: postgresEngine({ connectionString: ${JSON.stringify(DATABASE_URL)}, table: ${JSON.stringify(table)} }) })\n`,
    open: async (_dir, options = {}) => createSessions({ engine: postgresEngine({ connectionString: DATABASE_URL, table }), ...options }),
    async close() {
      const client = new pg.Client({ connectionString: DATABASE_URL })
      await client.connect()
      try {
        await client.query(`DROP TABLE IF EXISTS ${table}`)
      } finally {
        await client.end()
      }
    },
  }
}

/**
 * Redis: keys under a prefix of its own in the shared server, deleted by `close`. The config module connects a
 * node-redis client at the top level and never quits it (the engine leaves the client open): `sess` exits anyway.
 */
export function redisCli(): CliEngine {
  const prefix = `sess-cli-${suffix()}:`
  const clients: ReturnType<typeof createClient>[] = []
  return {
    name: 'redis',
    purge: false,
    config: () =>
      [
        imports("import { redisEngine } from '@sess/redis'", "import { createClient } from 'redis'"),
        `const client = createClient({ url: ${JSON.stringify(REDIS_URL)} })`,
        "client.on('error', (error) => console.error('redis', error.message))",
        'await client.connect()',
        `export const sessions = createSessions({ engine: redisEngine({ client, prefix: ${JSON.stringify(prefix)} }) })`,
        '',
      ].join('\n'),
    async open(_dir, options = {}) {
      const client = createClient({ url: REDIS_URL })
      client.on('error', () => undefined)
      await client.connect()
      clients.push(client)
      return createSessions({ engine: redisEngine({ client, prefix }), ...options })
    },
    async close() {
      const client = createClient({ url: REDIS_URL })
      client.on('error', () => undefined)
      await client.connect()
      try {
        // Bounded: SCAN walks the keyspace once; the tests store a few dozen keys under the prefix.
        const keys: string[] = []
        for await (const batch of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 1000 })) keys.push(...batch)
        if (keys.length > 0) await client.del(keys)
      } finally {
        client.destroy()
        for (const c of clients.splice(0)) c.destroy()
      }
    },
  }
}
