import { createSessions } from '@sess/core'
import type { Session, Sessions } from '@sess/core/binding'
import { type BindingData, controlledEngine } from '@sess/engine-tests'
import express5 from 'express'
import express4 from 'express4'
import { ServerResponse } from 'node:http'
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

    it('still commits when the patched prototype method is replaced later by one that bypasses it', async () => {
      const app = express()
      app.use(session(sessionsNamed('sessionid')))
      counter(app, '/count')
      const { get } = await serve(app)
      expect((await get('/count')).body).toBe(JSON.stringify({ count: 1 })) // installs the interception on app.response
      // A library that kept Node's own `end` and now installs its wrapper around that, not around sess's.
      const nodeEnd = ServerResponse.prototype.end as (...args: unknown[]) => unknown
      let ends = 0
      ;(app.response as { end: unknown }).end = function laterEnd(this: unknown, ...args: unknown[]) {
        ends++
        return nodeEnd.apply(this, args)
      }
      for (let i = 2; i <= 3; i++) {
        const response = await get('/count')
        expect(response.body).toBe(JSON.stringify({ count: i }))
        expect(response.setCookie).toHaveLength(1)
      }
      expect(ends).toBe(2)
    })

    it('sets the session headers through a header method an earlier middleware replaced on res', async () => {
      const app = express()
      const seen: string[] = []
      app.use((_req, res, next) => {
        const own = res.setHeader
        const appendOwn = res.appendHeader
        res.setHeader = function (this: typeof res, name: string, value: number | string | readonly string[]) {
          seen.push(`set ${name.toLowerCase()}`)
          return own.call(this, name, value)
        } as typeof res.setHeader
        res.appendHeader = function (this: typeof res, name: string, value: string | readonly string[]) {
          seen.push(`append ${name.toLowerCase()}`)
          return appendOwn.call(this, name, value)
        } as typeof res.appendHeader
        next()
      })
      app.use(session(sessionsNamed('sessionid')))
      counter(app, '/count')
      app.use('/count-with-cookie', (_req, res, next) => {
        res.cookie('app', '1')
        next()
      })
      counter(app, '/count-with-cookie')
      const { get } = await serve(app)
      const first = await get('/count')
      expect(first.setCookie).toHaveLength(1)
      // No Set-Cookie of the app's own: the session's is set (Node's appendHeader would check it twice).
      expect(seen).toEqual(expect.arrayContaining(['set set-cookie', 'set cache-control', 'set vary']))
      expect(seen).not.toContain('append set-cookie')
      seen.length = 0
      const second = await get('/count-with-cookie')
      expect(second.setCookie).toEqual([expect.stringMatching(/^app=1;/), expect.stringMatching(/^sessionid=/)])
      expect(seen).toEqual(expect.arrayContaining(['append set-cookie', 'set cache-control', 'set vary']))
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
