import { createSessions, type SessionEvent, type SessionsOptions } from '@sess/core'
import { isSessionError } from '@sess/core/binding'
import { richSerializer } from '@sess/core/rich'
import { CookieJar, referenceEngine } from '@sess/engine-tests'
import express from 'express'
import * as v from 'valibot'
import { describe, expect, it, onTestFinished } from 'vitest'
import { z } from 'zod'
import { session } from './index.js'
import { listen } from './test-app.js'

const schemas: Record<string, NonNullable<SessionsOptions['schema']>> = {
  zod: z.object({ count: z.number().int().nonnegative().optional(), lastVisit: z.date().optional() }),
  valibot: v.object({ count: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))), lastVisit: v.optional(v.date()) }),
}

for (const [library, schema] of Object.entries(schemas)) {
  describe(`@sess/express with a ${library} schema, over HTTP`, () => {
    /** The app, and an "old deploy" without the schema over the same engine (it can store data the schema refuses). */
    const start = async (options: { errorHandler?: boolean } = {}) => {
      const engine = referenceEngine()
      const events: SessionEvent[] = []
      const sessions = createSessions({ engine, schema, serializer: richSerializer, onEvent: (e) => events.push(e) })
      const oldDeploy = createSessions({ engine, serializer: richSerializer })
      const app = express()
      app.use(session(sessions))
      app.post('/visit', async (req, res) => {
        const previous = (await req.session.get('lastVisit')) ?? null
        await req.session.set('lastVisit', new Date())
        const count = await req.session.modify('count', (n) => (n ?? 0) + 1)
        res.json({ count, previous: previous instanceof Date ? previous.toISOString() : previous })
      })
      app.post('/count', async (req, res) => {
        await req.session.set('count', Number(req.query.value))
        res.json({ ok: true })
      })
      app.get('/data', async (req, res) => {
        const lastVisit = await req.session.get('lastVisit')
        res.json({ count: (await req.session.get('count')) ?? null, lastVisit: lastVisit instanceof Date ? 'Date' : typeof lastVisit })
      })
      if (options.errorHandler) {
        app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
          if (isSessionError(error, 'DATA')) res.status(422).json({ error: 'DATA' })
          else res.status(500).json({ error: String(error) })
        })
      }
      const server = await listen(app)
      onTestFinished(async () => {
        await server.close()
        await sessions.dispose()
      })
      const request = async (method: string, path: string, jar: CookieJar) => {
        const response = await fetch(server.url + path, { method, headers: { cookie: jar.header() ?? '' } })
        const body = await response.text()
        jar.apply(response.headers.getSetCookie())
        return { status: response.status, body, json: body.startsWith('{') ? JSON.parse(body) : undefined }
      }
      return { engine, events, oldDeploy, request }
    }

    it('stores a Date natively: the last visit comes back as a Date', async () => {
      const { request } = await start()
      const jar = new CookieJar()
      expect((await request('POST', '/visit', jar)).json).toEqual({ count: 1, previous: null })
      const second = await request('POST', '/visit', jar)
      expect(second.json.count).toBe(2)
      expect(Number.isNaN(Date.parse(second.json.previous))).toBe(false)
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 2, lastVisit: 'Date' })
    })

    it('bad stored data → a fresh empty session and a session.invalid event with the paths, never the values', async () => {
      const { request, oldDeploy, events } = await start()
      const planted = oldDeploy.load(undefined)
      await planted.update({ count: -5, lastVisit: '2020-01-01' })
      const jar = new CookieJar()
      jar.apply((await oldDeploy.commit(planted, { final: true })).setCookie)
      expect((await request('GET', '/data', jar)).json).toEqual({ count: null, lastVisit: 'undefined' })
      expect(events).toEqual([{ type: 'session.invalid', store: 'reference', paths: ['count', 'lastVisit'], action: 'reset' }])
      expect(JSON.stringify(events)).not.toContain('2020')
      expect((await request('POST', '/visit', jar)).json).toEqual({ count: 1, previous: null })
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 1, lastVisit: 'Date' })
    })

    it("a bad set → SessionError('DATA') on Express's error path: 500 by default, the earlier data intact, no cookie", async () => {
      const { request } = await start()
      const jar = new CookieJar()
      await request('POST', '/count?value=3', jar)
      const cookie = jar.header()
      const bad = await request('POST', '/count?value=-1', jar)
      expect(bad.status).toBe(500)
      expect(jar.header()).toBe(cookie)
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 3, lastVisit: 'undefined' })
    })

    it('an app error handler can answer a schema refusal with 422 (isSessionError(error, "DATA"))', async () => {
      const { request } = await start({ errorHandler: true })
      const jar = new CookieJar()
      await request('POST', '/count?value=3', jar)
      const bad = await request('POST', '/count?value=1.5', jar)
      expect(bad.status).toBe(422)
      expect(bad.json).toEqual({ error: 'DATA' })
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 3, lastVisit: 'undefined' })
    })
  })
}
