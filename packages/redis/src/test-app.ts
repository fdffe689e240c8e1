/**
 * A small Express app on a shared session store, run as a separate Node process by the multi-process tests.
 * argv[2]: JSON {@link AppConfig}. Prints `{"port":N}` on stdout once listening.
 */
import { createSessions, type SessionEngine } from '@sess/core'
import { session } from '@sess/express'
import express, { type NextFunction, type Request, type Response } from 'express'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { redisEngine } from './index.js'

/** What the app runs on. */
export interface AppConfig {
  store: 'redis' | 'cached-db'
  client: 'node-redis' | 'ioredis'
  redisUrl: string
  prefix: string
  commandTimeoutMs?: number
  /** cached-db only: the PostgreSQL table under the Redis cache. */
  table?: string
}

const config = JSON.parse(process.argv[2]!) as AppConfig

async function redisClient() {
  if (config.client === 'ioredis') {
    const client = new Redis(config.redisUrl)
    client.on('error', () => undefined)
    return client
  }
  const client = createClient({ url: config.redisUrl })
  client.on('error', () => undefined)
  await client.connect()
  return client
}

async function makeEngine(): Promise<SessionEngine> {
  const redis = redisEngine({
    client: await redisClient(),
    prefix: config.prefix,
    ...(config.commandTimeoutMs ? { commandTimeoutMs: config.commandTimeoutMs } : {}),
  })
  if (config.store === 'redis') return redis
  const { cachedDb } = await import('./test-cached-db.js')
  return cachedDb(redis, config.table!)
}

// 50 requests saving one session at the same instant: with compare-and-set, each round of retries lets one
// writer through, so the last one may need up to 49 retries (core's default allows 32).
const sessions = createSessions<{ user?: string; [key: string]: unknown }>({ engine: await makeEngine() })
const app = express()
app.use(session(sessions))
app.post('/login', async (req, res) => {
  await req.session.cycleKey()
  await req.session.set('user', String(req.query.user))
  res.json({ pid: process.pid })
})
app.get('/whoami', async (req, res) => {
  res.json({ user: (await req.session.get('user')) ?? null, pid: process.pid })
})
app.post('/logout', async (req, res) => {
  await req.session.flush()
  res.json({ pid: process.pid })
})
app.post('/set', async (req, res) => {
  await req.session.set(String(req.query.k), String(req.query.v))
  res.json({ pid: process.pid })
})
app.post('/sign-in', async (req, res) => {
  await req.session.setUser(String(req.query.user), { device: String(req.query.device ?? '') })
  await req.session.set('device', String(req.query.device ?? ''))
  res.json({ handle: req.session.handle, pid: process.pid })
})
app.get('/devices', async (req, res) => {
  const devices = await sessions.listFor(String(req.query.user), { current: req.session })
  res.json({ devices: devices.map((d) => ({ handle: d.handle, current: d.current, device: d.metadata.device })), pid: process.pid })
})
app.post('/sign-out-everywhere', async (req, res) => {
  const removed = await sessions.destroyAllFor(String(req.query.user), req.query.except ? { except: req.session } : {})
  res.json({ removed, pid: process.pid })
})
app.get('/entries', async (req, res) => {
  res.json(Object.fromEntries(await req.session.entries()))
})
app.use((error: { status?: number; code?: string; message?: string }, _req: Request, res: Response, _next: NextFunction) => {
  process.stderr.write(`app-error ${error.code ?? ''} ${error.message ?? ''}\n`)
  res.status(error.status ?? 500).json({ error: error.code ?? 'unknown' })
})
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number }
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`)
})
process.on('SIGTERM', () => {
  server.close()
  process.exit(0)
})
