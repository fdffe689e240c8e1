import { createSessions } from '@sess/core'
import type { Session, Sessions } from '@sess/core/binding'
import { type BindingData, controlledEngine } from '@sess/engine-tests'
import express5 from 'express'
import express4 from 'express4'
import { describe, expect, it, onTestFinished } from 'vitest'
import { session } from './index.js'
import { counterRoute as counter, type ExpressFactory, serveWithJar as serve } from './test-app.js'

/**
 * How the commit reaches the response: installed once on the app's response prototype, or on `res` itself when
 * something before the middleware replaced a method there, or when a second session middleware runs on the same
 * response. Each way must commit every session before the first byte, and a response without a session must go
 * straight through.
 */
for (const [label, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as Array<[string, ExpressFactory]>) {
  describe(`@sess/express interception on ${label}`, () => {
    const sessionsNamed = (name: string): Sessions<BindingData> => {
      const sessions = createSessions<BindingData>({ engine: controlledEngine(), cookie: { name } })
      onTestFinished(() => sessions.dispose())
      return sessions
    }
    it('commits on every request once installed on the prototype, and a route without the middleware goes straight through', async () => {
      const app = express()
      app.get('/plain', (_req, res) => {
        res.send('plain')
      })
      app.use(session(sessionsNamed('sessionid')))
      counter(app, '/count')
      const { get } = await serve(app)
      for (let i = 1; i <= 3; i++) expect((await get('/count')).body).toBe(JSON.stringify({ count: i }))
      const plain = await get('/plain')
      expect(plain).toMatchObject({ status: 200, body: 'plain', setCookie: [] })
      expect((await get('/count')).body).toBe(JSON.stringify({ count: 4 }))
    })

    it('wraps the methods of res when an earlier middleware replaced them there (a compression-like wrapper)', async () => {
      const app = express()
      const seen: string[] = []
      app.use((_req, res, next) => {
        const end = res.end
        res.end = function (this: typeof res, ...args: unknown[]) {
          seen.push(String(res.getHeader('set-cookie') ?? 'none'))
          return (end as (...a: unknown[]) => unknown).apply(this, args)
        } as typeof res.end
        next()
      })
      app.use(session(sessionsNamed('sessionid')))
      counter(app, '/count')
      const { get } = await serve(app)
      expect((await get('/count')).body).toBe(JSON.stringify({ count: 1 }))
      expect((await get('/count')).body).toBe(JSON.stringify({ count: 2 }))
      // The earlier wrapper runs first (it is outermost), the session's cookie is added before the bytes go.
      expect(seen).toHaveLength(2)
    })

    it('commits both sessions when two session middlewares run on one response', async () => {
      const app = express()
      type WithFirst = { first: Session<BindingData> }
      app.use(session(sessionsNamed('first')))
      app.use((req, _res, next) => {
        ;(req as unknown as WithFirst).first = req.session as unknown as Session<BindingData>
        next()
      })
      app.use(session(sessionsNamed('second')))
      app.get('/both', (req, res, next) => {
        const first = (req as unknown as WithFirst).first
        Promise.all([first.modify('count', (n = 0) => (n as number) + 1), req.session.modify('count', (n = 0) => (n as number) + 10)]).then(
          ([a, b]) => res.json({ a, b }),
          next,
        )
      })
      const { get, jar } = await serve(app)
      expect((await get('/both')).body).toBe(JSON.stringify({ a: 1, b: 10 }))
      expect([...jar.cookies.keys()].sort()).toEqual(['first', 'second'])
      expect((await get('/both')).body).toBe(JSON.stringify({ a: 2, b: 20 }))
    })

    it('works in a mounted sub-app, whose responses inherit from the parent app’s', async () => {
      const app = express()
      app.use(session(sessionsNamed('sessionid')))
      const sub = express()
      sub.use(session(sessionsNamed('subid')))
      counter(sub, '/count')
      app.use('/sub', sub)
      counter(app, '/count')
      const { get, jar } = await serve(app)
      expect((await get('/count')).body).toBe(JSON.stringify({ count: 1 }))
      expect((await get('/sub/count')).body).toBe(JSON.stringify({ count: 1 }))
      expect((await get('/sub/count')).body).toBe(JSON.stringify({ count: 2 }))
      expect((await get('/count')).body).toBe(JSON.stringify({ count: 2 }))
      expect([...jar.cookies.keys()].sort()).toEqual(['sessionid', 'subid'])
    })
  })
}
