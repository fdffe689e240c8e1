import type { AddressInfo } from 'node:net'
import { SessionError, type SessionEngine } from '@sess/core/engine'
import { CookieJar, ManualClock } from '@sess/engine-tests'
import { memoryEngine } from '@sess/memory'
import { sqliteEngine } from '@sess/sqlite'
import express5 from 'express'
import express4 from 'express4'
import expressSession from 'express-session'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { toConnectStore } from './to-connect-store.js'

type Express = typeof express5

type AnyReq = express5.Request & { session: any; sessionID: string }

const engines: Array<[string, () => SessionEngine]> = [
  ['@sess/memory', () => memoryEngine()],
  [
    '@sess/sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'sess-connect-'))
      onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
      return sqliteEngine({ path: join(dir, 'sessions.db') })
    },
  ],
]

async function start(express: Express, engine: SessionEngine, clock: ManualClock, cookie: Record<string, unknown> = { maxAge: 60_000 }) {
  const app = express()
  app.use(
    expressSession({
      secret: 'a secret of at least thirty-two characters',
      resave: false,
      saveUninitialized: false,
      store: toConnectStore(engine, { now: clock.now }),
      cookie,
    }),
  )
  app.post('/count', (req, res) => {
    const r = req as AnyReq
    r.session.count = (r.session.count ?? 0) + 1
    res.json({ count: r.session.count })
  })
  app.get('/count', (req, res) => res.json({ count: (req as AnyReq).session.count ?? null }))
  app.post('/regenerate', (req, res, next) => {
    ;(req as AnyReq).session.regenerate((error: unknown) => {
      if (error) return next(error)
      ;(req as AnyReq).session.count = 100
      res.json({ ok: true })
    })
  })
  app.post('/destroy', (req, res, next) => {
    ;(req as AnyReq).session.destroy((error: unknown) => (error ? next(error) : res.json({ ok: true })))
  })
  app.use((error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    res.status(500).json({ error: (error as { code?: string }).code ?? String(error) })
  })
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  onTestFinished(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await engine.dispose?.()
  })
  return async (method: string, path: string, jar: CookieJar) => {
    const cookie = jar.header()
    const response = await fetch(url + path, { method, headers: cookie ? { cookie } : {} })
    jar.apply(response.headers.getSetCookie())
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }
}

for (const [label, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as Array<[string, Express]>) {
  for (const [engineName, makeEngine] of engines) {
    describe(`express-session on ${label} with toConnectStore(${engineName})`, () => {
      it('keeps a counter across requests', async () => {
        const request = await start(express, makeEngine(), new ManualClock(Date.now()))
        const jar = new CookieJar()
        for (let i = 1; i <= 3; i++) expect((await request('POST', '/count', jar)).body).toEqual({ count: i })
        expect((await request('GET', '/count', jar)).body).toEqual({ count: 3 })
        expect((await request('GET', '/count', new CookieJar())).body).toEqual({ count: null })
      })

      it('regenerate: the old session id is dead, the new one has the new data', async () => {
        const request = await start(express, makeEngine(), new ManualClock(Date.now()))
        const jar = new CookieJar()
        await request('POST', '/count', jar)
        const old = jar.clone()
        await request('POST', '/regenerate', jar)
        expect(jar.get('connect.sid')).not.toBe(old.get('connect.sid'))
        expect((await request('GET', '/count', jar)).body).toEqual({ count: 100 })
        expect((await request('GET', '/count', old)).body).toEqual({ count: null })
      })

      it('destroy removes the session from the engine', async () => {
        const request = await start(express, makeEngine(), new ManualClock(Date.now()))
        const jar = new CookieJar()
        await request('POST', '/count', jar)
        await request('POST', '/destroy', jar)
        expect((await request('GET', '/count', jar)).body).toEqual({ count: null })
      })

      it('expires with the cookie’s maxAge, exactly as the cookie says', async () => {
        const clock = new ManualClock(Date.now())
        const request = await start(express, makeEngine(), clock)
        const jar = new CookieJar()
        await request('POST', '/count', jar)
        clock.advance(59)
        expect((await request('GET', '/count', jar.clone())).body).toEqual({ count: 1 })
        clock.advance(2)
        expect((await request('GET', '/count', jar.clone())).body).toEqual({ count: null })
      })

      it('touch moves the expiry without rewriting the session, and never brings a destroyed one back', async () => {
        const clock = new ManualClock(Date.UTC(2030, 0, 1))
        const store = toConnectStore(makeEngine(), { now: clock.now })
        const call = <T>(fn: (cb: (error?: unknown, value?: T) => void) => void) =>
          new Promise<T | undefined>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))))
        const at = (seconds: number) => new Date(Date.UTC(2030, 0, 1) + seconds * 1000).toISOString()
        await call((cb) => store.set('sid-1', { cookie: { expires: at(60), originalMaxAge: 60_000 }, count: 1 }, cb))
        await call((cb) => store.touch('sid-1', { cookie: { expires: at(600), originalMaxAge: 60_000 }, count: 999 }, cb))
        clock.advance(300)
        expect(await call((cb) => store.get('sid-1', cb))).toEqual({ cookie: { expires: at(600), originalMaxAge: 60_000 }, count: 1 })
        await call((cb) => store.destroy('sid-1', cb))
        await call((cb) => store.touch('sid-1', { cookie: { expires: at(900), originalMaxAge: 60_000 }, count: 1 }, cb))
        expect(await call((cb) => store.get('sid-1', cb))).toBeNull()
      })

      it('a browser-session cookie (no maxAge) lives for ttl (one day) in the engine', async () => {
        const clock = new ManualClock(Date.now())
        const request = await start(express, makeEngine(), clock, {})
        const jar = new CookieJar()
        await request('POST', '/count', jar)
        clock.advance(86_399)
        expect((await request('GET', '/count', jar)).body).toEqual({ count: 1 })
        clock.advance(86_401)
        expect((await request('GET', '/count', jar)).body).toEqual({ count: null })
      })
    })
  }
}

describe('toConnectStore: failures and options', () => {
  it('an engine failure reaches express-session as an error (500), not an empty session', async () => {
    const engine = memoryEngine()
    let failing = false
    const broken: SessionEngine = {
      name: 'broken',
      capabilities: engine.capabilities,
      read: async (key, now) => {
        if (failing) throw new SessionError('ENGINE', 'broken', 'read failed: disk on fire')
        return engine.read(key, now)
      },
      create: engine.create.bind(engine),
      update: engine.update.bind(engine),
      destroy: engine.destroy.bind(engine),
    }
    const request = await start(express5, broken, new ManualClock(Date.now()))
    const jar = new CookieJar()
    expect((await request('POST', '/count', jar)).body).toEqual({ count: 1 })
    failing = true
    const failed = await request('GET', '/count', jar)
    expect(failed.status).toBe(500)
    expect(failed.body).toEqual({ error: 'ENGINE' })
  })

  it('refuses what is not a server-side engine, and a bad ttl, with CONFIG', () => {
    for (const bad of [null, {}, { read() {}, create() {} }]) {
      expect(() => toConnectStore(bad as never)).toThrow(expect.objectContaining({ name: 'SessionError', code: 'CONFIG' }))
    }
    for (const ttl of [0, -1, Number.NaN, '60']) {
      expect(() => toConnectStore(memoryEngine(), { ttl: ttl as never })).toThrow(expect.objectContaining({ code: 'CONFIG' }))
    }
  })
})
