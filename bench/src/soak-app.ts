/**
 * One soak child: an Express 5 app with @sess/express over one engine, on 127.0.0.1 (port 0). Started by
 * `soak.ts` with the engine name as argument; sends `{ port }` over IPC once listening, and stops on `stop`.
 *
 * Routes: GET /new, GET /hit, GET /noop, POST /login?user=U, POST /logout, POST /set/:field?value=V,
 * GET /data, GET /stats (RSS, heap, open file descriptors of this process).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Session, SessionEngine, SessionStore } from '@sess/core'
import { createSessions } from '@sess/core'
import express from 'express'
import { importExports } from './sess.js'

const name = process.argv[2] ?? 'memory'
const dir = mkdtempSync(join(tmpdir(), `sess-soak-${name}-`))
const closers: Array<() => unknown> = []

async function engineFor(engine: string): Promise<SessionEngine | SessionStore> {
  const sqlite = async (file: string) => (await importExports('@sess/sqlite', ['sqliteEngine'])).sqliteEngine({ path: join(dir, file) })
  const memory = async () => (await importExports('@sess/memory', ['memoryEngine'])).memoryEngine()
  switch (engine) {
    case 'memory':
      return memory()
    case 'sqlite':
      return sqlite('sessions.sqlite3')
    case 'file':
      return (await importExports('@sess/file', ['fileEngine'])).fileEngine({ dir: join(dir, 'files') })
    case 'cached-db':
      return (await importExports('@sess/cached-db', ['cachedDbEngine'])).cachedDbEngine({
        cache: await memory(),
        db: await sqlite('cached.sqlite3'),
      })
    case 'signed-cookie':
      return (await importExports('@sess/signed-cookie', ['signedCookie'])).signedCookie({
        secrets: 'soak-secret-that-is-at-least-32-characters-long',
      })
    case 'redis': {
      const { createClient } = await import('redis')
      const client = createClient({ url: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379' })
      client.on('error', () => undefined)
      await client.connect()
      closers.push(() => client.destroy())
      return (await importExports('@sess/redis', ['redisEngine'])).redisEngine({ client, prefix: `sess-soak:${process.pid}:` })
    }
    case 'postgres': {
      const pg = (await import('pg')).default
      const pool = new pg.Pool({ connectionString: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 10 })
      closers.push(() => pool.end())
      return (await importExports('@sess/postgres', ['postgresEngine'])).postgresEngine({ pool, table: 'soak_sess_postgres' })
    }
    default:
      throw new Error(`unknown engine ${engine}`)
  }
}

/** The parts of Express's request and response the routes use (the bench does not install @types/express). */
interface Req {
  session: Session<Record<string, unknown>>
  query: Record<string, string>
  params: Record<string, string>
}
interface Res {
  json(value: unknown): void
  status(code: number): Res
  type(type: string): Res
  send(body: string): void
}
type Next = (error?: unknown) => void

const sessions = createSessions<Record<string, unknown>>({ engine: await engineFor(name) })
// Engines and the binding load through importExports (untyped): the bench does not install their peers' @types.
const { session } = await importExports('@sess/express', ['session'])
const app = express()
app.use(session(sessions))
const wrap =
  (handler: (req: Req, res: Res) => Promise<unknown>): ((req: Req, res: Res, next: Next) => void) =>
  (req, res, next) => {
    handler(req, res).catch(next)
  }
app.get(
  '/new',
  wrap(async (req, res) => {
    await req.session.set('visits', 1)
    res.json({ ok: true })
  }),
)
app.get(
  '/hit',
  wrap(async (req, res) => {
    const count = ((await req.session.get('count', 0)) as number) + 1
    await req.session.set('count', count)
    res.json({ count })
  }),
)
app.get('/noop', (_req: Req, res: Res) => {
  res.type('text/plain').send('noop')
})
app.post(
  '/login',
  wrap(async (req, res) => {
    await req.session.cycleKey()
    await req.session.set('user', String(req.query.user))
    res.json({ ok: true })
  }),
)
app.post(
  '/logout',
  wrap(async (req, res) => {
    await req.session.flush()
    res.json({ ok: true })
  }),
)
app.post(
  '/set/:field',
  wrap(async (req, res) => {
    await req.session.set(String(req.params.field), Number(req.query.value))
    res.json({ ok: true })
  }),
)
app.get(
  '/data',
  wrap(async (req, res) => {
    res.json(Object.fromEntries(await req.session.entries()))
  }),
)
app.get('/stats', (_req: Req, res: Res) => {
  const { rss, heapUsed } = process.memoryUsage()
  res.json({ rss, heapUsed, fds: readdirSync('/proc/self/fd').length })
})
app.use((error: unknown, _req: Req, res: Res, _next: Next) => {
  const status = (error as { status?: number }).status ?? 500
  res.status(status).type('text/plain').send(String(error))
})

const server = app.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port })
})
process.on('message', async (message) => {
  if (message !== 'stop') return
  server.closeAllConnections()
  server.close()
  await sessions.dispose()
  for (const close of closers) await close()
  rmSync(dir, { recursive: true, force: true })
  process.exit(0)
})
