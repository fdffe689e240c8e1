import { createSessions } from '@sess/core'
import type { Sessions } from '@sess/core/binding'
import { type BindingData, controlledEngine } from '@sess/engine-tests'
import express5 from 'express'
import express4 from 'express4'
import { describe, expect, it, onTestFinished } from 'vitest'
import { expressSessionCompat } from './compat.js'
import { session } from './index.js'
import { counterRoute as counter, type ExpressFactory, serveWithJar as serve } from './test-app.js'

/**
 * The properties the middlewares add per request are declared on `req` and `res` before Express changes their
 * prototypes (so that V8 reuses one hidden class instead of building one per request). Only speed may depend on
 * it: the session must work the same, nothing the app defines may be shadowed, and mounted apps must keep working.
 */
for (const [label, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as Array<[string, ExpressFactory]>) {
  describe(`@sess/express request slots on ${label}`, () => {
    const makeSessions = (): Sessions<BindingData> => {
      const sessions = createSessions<BindingData>({ engine: controlledEngine() })
      onTestFinished(() => sessions.dispose())
      return sessions
    }
    it('declares req.session before the first middleware from the second request on, empty until the session middleware sets it', async () => {
      const app = express()
      const seen: Array<[own: boolean, value: unknown]> = []
      app.use((req, _res, next) => {
        seen.push([Object.hasOwn(req, 'session'), (req as { session?: unknown }).session])
        next()
      })
      app.use(session(makeSessions()))
      counter(app, '/count')
      const { get } = await serve(app)
      for (let i = 1; i <= 3; i++) expect((await get('/count')).body).toBe(JSON.stringify({ count: i }))
      expect(seen).toEqual([
        [false, undefined],
        [true, undefined],
        [true, undefined],
      ])
    })

    it('does the same under expressSessionCompat(), with req.sessionID', async () => {
      const app = express()
      const seen: boolean[] = []
      app.use((req, _res, next) => {
        seen.push(Object.hasOwn(req, 'session') && Object.hasOwn(req, 'sessionID') && req.sessionID === undefined)
        next()
      })
      app.use(expressSessionCompat(makeSessions()))
      app.get('/views', (req, res) => {
        const s = req.session as unknown as { views?: number }
        s.views = (s.views ?? 0) + 1
        res.json({ views: s.views })
      })
      const { get } = await serve(app)
      for (let i = 1; i <= 3; i++) expect((await get('/views')).body).toBe(JSON.stringify({ views: i }))
      expect(seen).toEqual([false, true, true])
    })

    it('leaves an accessor the app put on app.request alone: the middleware sets the session through it', async () => {
      const app = express()
      const stored = new WeakMap<object, unknown>()
      let sets = 0
      Object.defineProperty(app.request, 'session', {
        configurable: true,
        get(this: object) {
          return stored.get(this)
        },
        set(this: object, value: unknown) {
          sets++
          stored.set(this, value)
        },
      })
      const own: boolean[] = []
      app.use(session(makeSessions()))
      app.use((req, _res, next) => {
        own.push(Object.hasOwn(req, 'session'))
        next()
      })
      counter(app, '/count')
      const { get } = await serve(app)
      for (let i = 1; i <= 3; i++) expect((await get('/count')).body).toBe(JSON.stringify({ count: i }))
      expect(own).toEqual([false, false, false])
      expect(sets).toBe(3)
    })

    it('declares them on the root app when the session middleware lives in a mounted app, and routes outside it see no session', async () => {
      const root = express()
      const sub = express()
      const declared: boolean[] = []
      root.use((req, _res, next) => {
        declared.push(Object.hasOwn(req, 'session'))
        next()
      })
      sub.use(session(makeSessions()))
      counter(sub, '/count')
      root.use('/sub', sub)
      root.get('/outside', (req, res) => {
        res.json({ session: (req as { session?: unknown }).session === undefined ? 'none' : 'some' })
      })
      const { get } = await serve(root)
      for (let i = 1; i <= 3; i++) expect((await get('/sub/count')).body).toBe(JSON.stringify({ count: i }))
      expect((await get('/outside')).body).toBe(JSON.stringify({ session: 'none' }))
      expect((await get('/sub/count')).body).toBe(JSON.stringify({ count: 4 }))
      expect(declared).toEqual([false, true, true, true, true])
    })

    it('keeps a session set by an outer app when a mounted app has its own middleware', async () => {
      const root = express()
      const sub = express()
      const outer = makeSessions()
      root.use(session(outer))
      const seen: boolean[] = []
      sub.use((req, _res, next) => {
        seen.push((req as { session?: unknown }).session !== undefined)
        next()
      })
      sub.use(session(makeSessions()))
      counter(sub, '/count')
      root.use('/sub', sub)
      const { get } = await serve(root)
      for (let i = 1; i <= 2; i++) expect((await get('/sub/count')).body).toBe(JSON.stringify({ count: i }))
      expect(seen).toEqual([true, true])
    })
  })
}
