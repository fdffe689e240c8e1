import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { CaseApp, CaseEnv, ServerCase } from './types.js'
import { importExports } from '../sess.js'
import { countingSend } from './redis-count.js'

const require = createRequire(import.meta.url)

type App = any

async function expressApp(): Promise<App> {
  const express = (await import('express')).default
  return express()
}

/** `/hit` and `/noop` with no session at all. */
function bareRoutes(app: App): App {
  app.get('/hit', (_req: any, res: any) => {
    res.json({ count: 1 })
  })
  app.get('/read', (_req: any, res: any) => {
    res.json({ count: 1 })
  })
  app.get('/noop', (_req: any, res: any) => {
    res.json({ ok: true })
  })
  return app
}

// ---------------------------------------------------------------- express-session (the peer)

async function expressSessionApp(store: unknown, env: CaseEnv): Promise<App> {
  const session = require('express-session')
  const app = await expressApp()
  app.use(
    session({
      secret: env.secret,
      resave: false,
      saveUninitialized: false,
      store,
      cookie: { maxAge: 1_209_600_000 },
    }),
  )
  app.get('/hit', (req: any, res: any) => {
    const s = req.session as unknown as { count?: number }
    s.count = (s.count ?? 0) + 1
    res.json({ count: s.count })
  })
  app.get('/read', (req: any, res: any) => {
    res.json({ count: (req.session as unknown as { count?: number }).count ?? 0 })
  })
  app.get('/noop', (_req: any, res: any) => {
    res.json({ ok: true })
  })
  return app
}

// ---------------------------------------------------------------- @sess/express

async function sessApp(engine: unknown, extra?: Record<string, unknown>): Promise<App> {
  const { createSessions } = await importExports('@sess/core', ['createSessions'])
  const { session } = await importExports('@sess/express', ['session'])
  const sessions = createSessions({ engine, ...extra })
  const app = await expressApp()
  app.use(session(sessions))
  app.get('/hit', async (req: any, res: any, next: any) => {
    try {
      const s = (req as unknown as { session: { get(k: string, d: number): Promise<number>; set(k: string, v: number): Promise<void> } })
        .session
      const count = (await s.get('count', 0)) + 1
      await s.set('count', count)
      res.json({ count })
    } catch (error) {
      next(error)
    }
  })
  app.get('/read', async (req: any, res: any, next: any) => {
    try {
      const s = (req as unknown as { session: { get(k: string, d: number): Promise<number> } }).session
      res.json({ count: await s.get('count', 0) })
    } catch (error) {
      next(error)
    }
  })
  app.get('/noop', (_req: any, res: any) => {
    res.json({ ok: true })
  })
  return app
}

const memory = async () => (await importExports('@sess/memory', ['memoryEngine'])).memoryEngine()
const sqlite = async (env: CaseEnv) =>
  (await importExports('@sess/sqlite', ['sqliteEngine'])).sqliteEngine({ path: join(env.dataDir, 'sess.sqlite3') })
const file = async (env: CaseEnv) => (await importExports('@sess/file', ['fileEngine'])).fileEngine({ dir: join(env.dataDir, 'files') })

function listen(app: App, close?: () => unknown, counters?: () => Record<string, number>): CaseApp {
  return {
    listener: app as unknown as CaseApp['listener'],
    ...(close ? { close: async () => void (await close()) } : {}),
    ...(counters ? { counters } : {}),
  }
}

/** The Express group. Issue numbers say which issue's Bench section asked for the case. */
export const expressCases: ServerCase[] = [
  {
    id: 'express-bare',
    group: 'express',
    label: 'express 5 (bare)',
    kind: 'bare',
    sess: false,
    issue: 2,
    create: async () => listen(bareRoutes(await expressApp())),
  },
  {
    id: 'express-session-memory',
    group: 'express',
    label: 'express-session + MemoryStore',
    kind: 'store',
    sess: false,
    issue: 2,
    create: async (env) => {
      const session = require('express-session')
      return listen(await expressSessionApp(new session.MemoryStore(), env))
    },
  },
  {
    id: 'express-session-memorystore',
    group: 'express',
    label: 'express-session + memorystore (LRU)',
    kind: 'store',
    sess: false,
    issue: 2,
    create: async (env) => {
      const session = require('express-session')
      const MemoryStore = require('memorystore')(session)
      const store = new MemoryStore({ checkPeriod: 86_400_000 })
      return listen(await expressSessionApp(store, env), () => store.stopInterval())
    },
  },
  {
    id: 'express-session-sqlite',
    group: 'express',
    label: 'express-session + better-sqlite3-session-store (WAL)',
    kind: 'store',
    sess: false,
    issue: 2,
    create: async (env) => {
      const session = require('express-session')
      const Database = require('better-sqlite3')
      const SqliteStore = require('better-sqlite3-session-store')(session)
      const db = new Database(join(env.dataDir, 'peer.sqlite3'))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      const store = new SqliteStore({ client: db, expired: { clear: true, intervalMs: 900_000 } })
      return listen(await expressSessionApp(store, env), () => db.close())
    },
  },
  {
    id: 'sess-express-memory',
    group: 'express',
    label: '@sess/express + @sess/memory',
    kind: 'store',
    sess: true,
    issue: 2,
    create: async () => listen(await sessApp(await memory())),
  },
  {
    id: 'sess-express-memory-rich',
    group: 'express',
    label: '@sess/express + @sess/memory, richSerializer (devalue) instead of strict JSON',
    kind: 'store',
    sess: true,
    diagnostic: true,
    issue: 13,
    create: async () => {
      const { richSerializer } = await importExports('@sess/core/rich', ['richSerializer'])
      return listen(await sessApp(await memory(), { serializer: richSerializer }))
    },
  },
  {
    id: 'sess-express-memory-valibot',
    group: 'express',
    label: '@sess/express + @sess/memory, a valibot schema',
    kind: 'store',
    sess: true,
    diagnostic: true,
    issue: 13,
    create: async () => {
      const v = await import('valibot')
      const schema = v.object({ count: v.optional(v.pipe(v.number(), v.integer())), user: v.optional(v.string()) })
      return listen(await sessApp(await memory(), { schema }))
    },
  },
  {
    id: 'sess-express-memory-zod',
    group: 'express',
    label: '@sess/express + @sess/memory, a zod schema',
    kind: 'store',
    sess: true,
    diagnostic: true,
    issue: 13,
    create: async () => {
      const { z } = await import('zod')
      const schema = z.object({ count: z.number().int().optional(), user: z.string().optional() })
      return listen(await sessApp(await memory(), { schema }))
    },
  },
  {
    id: 'sess-express-memory-by-hand',
    group: 'express',
    label: '@sess/core + @sess/memory called by hand in the routes (no binding)',
    kind: 'store',
    sess: true,
    diagnostic: true,
    issue: 2,
    create: async () => {
      const { createSessions } = await importExports('@sess/core', ['createSessions'])
      const sessions = createSessions({ engine: await memory() })
      const app = await expressApp()
      const send = async (res: any, session: any, body: unknown) => {
        const { setCookie, vary } = await sessions.commit(session, { status: 200, final: true })
        if (setCookie.length > 0) res.append('Set-Cookie', setCookie)
        if (vary) res.vary('Cookie')
        res.json(body)
      }
      app.get('/hit', async (req: any, res: any, next: any) => {
        try {
          const s = sessions.load(req.headers.cookie)
          const count = (await s.get('count', 0)) + 1
          await s.set('count', count)
          await send(res, s, { count })
        } catch (error) {
          next(error)
        }
      })
      app.get('/read', async (req: any, res: any, next: any) => {
        try {
          const s = sessions.load(req.headers.cookie)
          await send(res, s, { count: await s.get('count', 0) })
        } catch (error) {
          next(error)
        }
      })
      app.get('/noop', (_req: any, res: any) => {
        res.json({ ok: true })
      })
      return listen(app)
    },
  },
  {
    id: 'sess-express-sqlite',
    group: 'express',
    label: '@sess/express + @sess/sqlite (WAL, NORMAL)',
    kind: 'store',
    sess: true,
    issue: 2,
    create: async (env) => listen(await sessApp(await sqlite(env))),
  },
  {
    id: 'express-session-file',
    group: 'express',
    label: 'express-session + session-file-store',
    kind: 'store',
    sess: false,
    issue: 3,
    create: async (env) => {
      const session = require('express-session')
      const FileStore = require('session-file-store')(session)
      const store = new FileStore({ path: join(env.dataDir, 'peer-files'), logFn: () => {}, reapInterval: -1 })
      return listen(await expressSessionApp(store, env))
    },
  },
  {
    id: 'sess-express-file',
    group: 'express',
    label: '@sess/express + @sess/file (fsync)',
    kind: 'store',
    sess: true,
    issue: 3,
    create: async (env) => listen(await sessApp(await file(env))),
  },
  {
    id: 'sess-express-cached-db',
    group: 'express',
    label: '@sess/express + @sess/cached-db (memory over sqlite)',
    kind: 'store',
    sess: true,
    issue: 3,
    create: async (env) => {
      const { cachedDbEngine } = await importExports('@sess/cached-db', ['cachedDbEngine'])
      return listen(await sessApp(cachedDbEngine({ cache: await memory(), db: await sqlite(env) })))
    },
  },
  {
    id: 'express-iron-session',
    group: 'express',
    label: 'express + iron-session 8 (sealed cookie)',
    kind: 'cookie',
    sess: false,
    issue: 4,
    create: async (env) => {
      const { getIronSession } = await import('iron-session')
      const app = await expressApp()
      const options = { password: env.secret, cookieName: 'iron' }
      app.get('/hit', async (req: any, res: any, next: any) => {
        try {
          const s = await getIronSession<{ count?: number }>(req, res, options)
          s.count = (s.count ?? 0) + 1
          await s.save()
          res.json({ count: s.count })
        } catch (error) {
          next(error)
        }
      })
      app.get('/read', async (req: any, res: any, next: any) => {
        try {
          const s = await getIronSession<{ count?: number }>(req, res, options)
          res.json({ count: s.count ?? 0 })
        } catch (error) {
          next(error)
        }
      })
      app.get('/noop', (_req: any, res: any) => {
        res.json({ ok: true })
      })
      return listen(app)
    },
  },
  {
    id: 'sess-express-signed-cookie',
    group: 'express',
    label: '@sess/express + @sess/signed-cookie (node:crypto)',
    kind: 'cookie',
    sess: true,
    issue: 4,
    create: async (env) => {
      const { signedCookie } = await importExports('@sess/signed-cookie', ['signedCookie'])
      return listen(await sessApp(signedCookie({ secrets: env.secret })))
    },
  },
  {
    id: 'express-session-redis',
    group: 'express',
    label: 'express-session + connect-redis (node-redis)',
    kind: 'store',
    sess: false,
    needs: ['redis'],
    issue: 6,
    create: async (env) => {
      const { createClient } = await import('redis')
      const { RedisStore } = (await import('connect-redis')) as unknown as { RedisStore: new (o: unknown) => unknown }
      const client = createClient({ url: env.redisUrl })
      await client.connect()
      const store = new RedisStore({ client, prefix: 'bench-peer:' })
      return listen(await expressSessionApp(store, env), () => client.quit())
    },
  },
  {
    id: 'sess-express-redis',
    group: 'express',
    label: '@sess/express + @sess/redis (node-redis)',
    kind: 'store',
    sess: true,
    needs: ['redis'],
    issue: 6,
    create: async (env) => {
      const { redisEngine } = await importExports('@sess/redis', ['redisEngine'])
      const { createClient } = await import('redis')
      const client = createClient({ url: env.redisUrl })
      await client.connect()
      const counted = await countingSend(client)
      return listen(await sessApp(redisEngine({ client: counted.send, prefix: 'bench-sess:' })), () => client.quit(), counted.counters)
    },
  },
  {
    id: 'express-session-pg',
    group: 'express',
    label: 'express-session + connect-pg-simple',
    kind: 'store',
    sess: false,
    needs: ['postgres'],
    issue: 6,
    create: async (env) => {
      const session = require('express-session')
      const PgStore = require('connect-pg-simple')(session)
      const pg = (await import('pg')).default
      const pool = new pg.Pool({ connectionString: env.pgUrl, max: 10 })
      const store = new PgStore({ pool, tableName: 'bench_connect_pg_simple', createTableIfMissing: true, pruneSessionInterval: false })
      return listen(await expressSessionApp(store, env), () => pool.end())
    },
  },
  {
    id: 'sess-express-postgres',
    group: 'express',
    label: '@sess/express + @sess/postgres',
    kind: 'store',
    sess: true,
    needs: ['postgres'],
    issue: 6,
    create: async (env) => {
      const { postgresEngine } = await importExports('@sess/postgres', ['postgresEngine'])
      const pg = (await import('pg')).default
      const pool = new pg.Pool({ connectionString: env.pgUrl, max: 10 })
      return listen(await sessApp(postgresEngine({ pool, table: 'bench_sess_postgres' })), () => pool.end())
    },
  },
]
