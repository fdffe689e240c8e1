import { createRequire } from 'node:module'
import { join } from 'node:path'
import { importExports } from '../sess.js'
import type { CaseApp, CaseEnv, ServerCase } from './types.js'

const require = createRequire(import.meta.url)

type App = any

/**
 * Floors: bare Express doing only the work that any session layer with a given store must do per request, with no
 * session library at all. A target above a floor's ratio cannot be met by any implementation; the floors run in
 * the same rounds as the cases, so the proof is in the same numbers (bench/README.md, "Limits").
 */

/** A session cookie line as @sess writes it (its `Expires` made per response). */
function cookieLine(): string {
  return `sessionid=${'k'.repeat(32)}; Max-Age=1209600; Path=/; Expires=${new Date(Date.now() + 1_209_600_000).toUTCString()}; HttpOnly; SameSite=Lax`
}

/** What a response that saved a session carries: its cookie, `Vary: Cookie`, `Cache-Control: private`. */
function sessionHeaders(res: any): void {
  res.append('Set-Cookie', cookieLine())
  res.vary('Cookie')
  res.setHeader('Cache-Control', 'private')
}

async function app(hit: (req: any, res: any) => Promise<number> | number, use?: (req: any, res: any, next: any) => void): Promise<App> {
  const express = (await import('express')).default
  const a = express()
  if (use) a.use(use)
  a.get('/hit', (req: any, res: any, next: any) => {
    Promise.resolve(hit(req, res)).then((count) => {
      sessionHeaders(res)
      res.json({ count })
    }, next)
  })
  a.get('/read', (_req: any, res: any) => {
    res.json({ count: 1 })
  })
  a.get('/noop', (_req: any, res: any) => {
    res.json({ ok: true })
  })
  return a
}

const listen = (a: App, close?: () => unknown): CaseApp => ({
  listener: a,
  ...(close ? { close: async () => void (await close()) } : {}),
})

/** A 100-byte session payload, as the stores hold for `{ count }` with its envelope. */
const PAYLOAD = JSON.stringify({ v: 1, d: { count: 1 }, c: Date.now(), s: Date.now(), pad: 'x'.repeat(40) })

export const floorCases: ServerCase[] = [
  {
    id: 'floor-express-middleware',
    group: 'express',
    label: 'floor: bare + one empty app.use middleware (/noop), and the headers of a saved session behind it (/hit)',
    kind: 'store',
    sess: false,
    issue: 15,
    create: async () =>
      listen(
        await app(
          () => 1,
          (_req, _res, next) => next(),
        ),
      ),
  },
  {
    id: 'floor-express-headers',
    group: 'express',
    label: 'floor: bare + the headers of a saved session (Set-Cookie, Vary, Cache-Control), no store',
    kind: 'store',
    sess: false,
    issue: 15,
    create: async () => listen(await app(() => 1)),
  },
  {
    id: 'floor-express-sqlite',
    group: 'express',
    label: 'floor: headers + one SELECT and one UPDATE of a row (better-sqlite3, WAL, NORMAL)',
    kind: 'store',
    sess: false,
    issue: 15,
    create: async (env: CaseEnv) => {
      const Database = require('better-sqlite3')
      const db = new Database(join(env.dataDir, 'floor.sqlite3'))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec('CREATE TABLE s (k TEXT PRIMARY KEY, p TEXT NOT NULL, e INTEGER NOT NULL, v INTEGER NOT NULL)')
      db.prepare('INSERT INTO s VALUES (?, ?, ?, 1)').run('k', PAYLOAD, Date.now() + 1_209_600_000)
      const read = db.prepare('SELECT p, e, v FROM s WHERE k = ?')
      const write = db.prepare('UPDATE s SET p = ?, e = ?, v = v + 1 WHERE k = ? AND v = ?')
      return listen(
        await app(() => {
          const row = read.get('k') as { p: string; v: number }
          write.run(row.p, Date.now() + 1_209_600_000, 'k', row.v)
          return row.v
        }),
        () => db.close(),
      )
    },
  },
  {
    id: 'floor-express-redis',
    group: 'express',
    label: 'floor: headers + one GET (node-redis): the read every request needs, writes grouped away',
    kind: 'store',
    sess: false,
    needs: ['redis'],
    issue: 15,
    create: async (env: CaseEnv) => {
      const { createClient } = await import('redis')
      const client = createClient({ url: env.redisUrl })
      await client.connect()
      await client.set('bench-floor:k', PAYLOAD)
      return listen(await app(async () => ((await client.get('bench-floor:k')) ?? '').length), () => client.quit())
    },
  },
  {
    id: 'floor-express-postgres',
    group: 'express',
    label: 'floor: headers + one SELECT by primary key (pg Pool): the read every request needs',
    kind: 'store',
    sess: false,
    needs: ['postgres'],
    issue: 15,
    create: async (env: CaseEnv) => {
      const pg = (await import('pg')).default
      const pool = new pg.Pool({ connectionString: env.pgUrl, max: 10 })
      await pool.query('CREATE TABLE IF NOT EXISTS bench_floor (k TEXT PRIMARY KEY, p TEXT NOT NULL)')
      await pool.query('INSERT INTO bench_floor VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET p = EXCLUDED.p', ['k', PAYLOAD])
      return listen(await app(async () => (await pool.query('SELECT p FROM bench_floor WHERE k = $1', ['k'])).rows.length), () =>
        pool.end(),
      )
    },
  },
  {
    id: 'floor-express-seal',
    group: 'express',
    label: 'floor: headers + one unseal and one seal of the cookie (@sess/signed-cookie store alone, node:crypto)',
    kind: 'cookie',
    sess: true,
    issue: 15,
    create: async (env: CaseEnv) => {
      type Store = {
        cookieValue(key: string, record: object): string | Promise<string>
        load(value: string, now: Date): Promise<unknown>
      }
      const { signedCookie } = await importExports<{ signedCookie: (o: object) => Store }>('@sess/signed-cookie', ['signedCookie'])
      const store = signedCookie({ secrets: env.secret })
      const record = () => ({ payload: PAYLOAD, expiresAt: new Date(Date.now() + 1_209_600_000), version: 1 })
      const key = 'abcdefghijklmnopqrstuvwxyz012345'
      const sealed = await store.cookieValue(key, record())
      return listen(
        await app(async () => {
          if ((await store.load(sealed, new Date())) === null) throw new Error('the seal did not open')
          return (await store.cookieValue(key, record())).length
        }),
      )
    },
  },
  {
    id: 'floor-koa',
    group: 'koa',
    label: 'floor: bare + one empty async middleware (/noop), and the headers of a saved session (/hit)',
    kind: 'store',
    sess: false,
    issue: 15,
    create: async () => {
      const Koa = (await import('koa')).default
      const app = new Koa()
      app.use(async (_ctx: unknown, next: () => Promise<unknown>) => {
        await next()
      })
      app.use(async (ctx: any) => {
        if (ctx.path === '/hit') {
          ctx.append('Set-Cookie', [cookieLine()])
          ctx.vary('Cookie')
          ctx.set('Cache-Control', 'private')
          ctx.body = { count: 1 }
        } else if (ctx.path === '/read') ctx.body = { count: 1 }
        else if (ctx.path === '/noop') ctx.body = { ok: true }
      })
      return { listener: app.callback() }
    },
  },
  {
    id: 'floor-hono',
    group: 'hono',
    label: 'floor: bare + one empty middleware (/noop), and the headers of a saved session (/hit)',
    kind: 'store',
    sess: false,
    issue: 15,
    create: async () => {
      const { Hono } = await import('hono')
      const { getRequestListener } = await import('@hono/node-server')
      const app = new Hono()
      app.use('*', async (_c, next) => {
        await next()
      })
      app.get('/hit', (c) => {
        const res = c.json({ count: 1 })
        res.headers.append('set-cookie', cookieLine())
        res.headers.set('vary', 'Cookie')
        res.headers.set('cache-control', 'private')
        return res
      })
      app.get('/read', (c) => c.json({ count: 1 }))
      app.get('/noop', (c) => c.json({ ok: true }))
      return { listener: getRequestListener(app.fetch) as CaseApp['listener'] }
    },
  },
]
