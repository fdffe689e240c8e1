import type { Request } from 'express'
import { describe, expect, it } from 'vitest'
import { type CompatSession, getSession } from './index.js'
import { CookieJar, EXPRESS, sessionCookies, startCompat, wrap } from './test-compat.js'

type Compat = CompatSession & Record<string, any>
const s = (req: Request): Compat => req.session as unknown as Compat

for (const [label, express] of EXPRESS) {
  describe(`expressSessionCompat on ${label}: data as properties`, () => {
    const app = () =>
      startCompat(express, (a) => {
        a.post('/set', (req, res) => {
          s(req).user = String(req.query.user)
          s(req).count = (s(req).count ?? 0) + 1
          res.json({ count: s(req).count })
        })
        a.get('/show', (req, res) => {
          const { cookie: _cookie, ...data } = { ...s(req) }
          res.json({ data, hasUser: 'user' in s(req), keys: Object.keys(s(req)), id: s(req).id ?? null, sessionID: req.sessionID ?? null })
        })
        a.post('/delete', (req, res) => {
          delete s(req).user
          res.json({ ok: true })
        })
        a.post('/undefine', (req, res) => {
          s(req).count = undefined
          res.json({ ok: true })
        })
        a.post('/push', (req, res) => {
          s(req).cart ??= { items: [] }
          s(req).cart.items.push(String(req.query.item)) // mutated in place, never reassigned
          res.json({ ok: true })
        })
        a.get('/noop', (_req, res) => {
          res.json({ ok: true })
        })
        a.post('/slow/:key', (req, res) => {
          s(req)[String(req.params.key)] = true
          setTimeout(() => res.json({ ok: true }), 30)
        })
        a.post('/function', (req, res) => {
          s(req).callback = () => 1
          res.json({ ok: true })
        })
      })

    it('a request without a session cookie calls no engine method and sends no cookie', async () => {
      const { request, counter } = await app()
      const noop = await request('GET', '/noop')
      const show = await request('GET', '/show')
      expect(counter.total()).toBe(0)
      expect([...noop.setCookie, ...show.setCookie]).toEqual([])
      expect(noop.headers.get('vary')).toBeNull()
      expect(show.json()).toEqual({ data: {}, hasUser: false, keys: [], id: null, sessionID: null })
    })

    it('properties set in one request are there in the next; id and sessionID are the key', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/set?user=ada', jar)
      expect((await request('POST', '/set?user=ada', jar)).json()).toEqual({ count: 2 })
      const key = jar.get('sessionid')!
      expect(key).toMatch(/^[a-z0-9]{32}$/)
      expect((await request('GET', '/show', jar)).json()).toEqual({
        data: { user: 'ada', count: 2 },
        hasUser: true,
        keys: ['user', 'count'],
        id: key,
        sessionID: key,
      })
    })

    it('a request that only reads writes nothing and sends no cookie; /noop with a cookie writes nothing', async () => {
      const { request, counter } = await app()
      const jar = new CookieJar()
      await request('POST', '/set?user=ada', jar)
      counter.reset()
      const show = await request('GET', '/show', jar)
      const noop = await request('GET', '/noop', jar)
      expect([...show.setCookie, ...noop.setCookie]).toEqual([])
      expect(Object.keys(counter.calls)).toEqual(['read'])
      expect(show.headers.get('vary')).toContain('Cookie')
    })

    it('delete and assigning undefined remove keys', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/set?user=ada', jar)
      await request('POST', '/delete', jar)
      await request('POST', '/undefine', jar)
      expect((await request('GET', '/show', jar)).json()).toMatchObject({ data: {}, hasUser: false, keys: [] })
    })

    it('an object mutated in place is saved (the serialised value changed)', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      for (const item of ['book', 'pen', 'ink']) await request('POST', `/push?item=${item}`, jar)
      expect((await request('GET', '/show', jar)).json()).toMatchObject({ data: { cart: { items: ['book', 'pen', 'ink'] } } })
    })

    it('parallel requests that set different properties both survive (sess’s change log, not a whole-object overwrite)', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/set?user=ada', jar)
      await Promise.all(['a', 'b', 'c', 'd'].map((key) => request('POST', `/slow/${key}`, jar.clone())))
      expect((await request('GET', '/show', jar)).json()).toMatchObject({
        data: { user: 'ada', count: 1, a: true, b: true, c: true, d: true },
      })
    })

    it('a value that cannot be stored fails the request with DATA (500), never a silent drop', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      const response = await request('POST', '/function', jar)
      expect(response.status).toBe(500)
      expect(response.json()).toEqual({ error: 'DATA' })
      expect(jar.get('sessionid')).toBeUndefined()
    })
  })

  describe(`expressSessionCompat on ${label}: methods`, () => {
    const app = () =>
      startCompat(express, (a) => {
        a.post('/login', (req, res) => {
          s(req).cart = ['book']
          s(req).user = 'ada'
          res.json({ ok: true })
        })
        a.get('/show', (req, res) => {
          const { cookie: _cookie, ...data } = { ...s(req) }
          res.json(data)
        })
        a.post('/regenerate-cb', (req, res, next) => {
          const before = req.session
          s(req).regenerate((error) => {
            if (error) return next(error)
            s(req).user = 'bob'
            res.json({ same: before === req.session, id: s(req).id ?? null })
          })
        })
        a.post(
          '/regenerate-promise',
          wrap(async (req, res) => {
            await s(req).regenerate()
            res.json({ empty: Object.keys(s(req)).length === 0 })
          }),
        )
        a.post('/save-then-500', (req, res, next) => {
          s(req).saved = 'yes'
          s(req).save((error) => {
            if (error) return next(error)
            s(req).after = 'no' // changed after the save, the 500 response keeps it out
            res.status(500).json({ id: s(req).id, sessionID: req.sessionID })
          })
        })
        a.post(
          '/save-twice',
          wrap(async (req, res) => {
            s(req).first = 1
            await s(req).save()
            s(req).second = 2
            await s(req).save()
            s(req).third = 3
            res.json({ ok: true })
          }),
        )
        a.post('/destroy', (req, res, next) => {
          s(req).destroy((error) => {
            if (error) return next(error)
            res.json({ session: req.session === undefined ? null : 'still there', sessionID: req.sessionID ?? null })
          })
        })
        a.post(
          '/reload',
          wrap(async (req, res) => {
            s(req).user = 'mallory'
            delete s(req).cart
            await s(req).reload()
            res.json({ user: s(req).user, cart: s(req).cart })
          }),
        )
        a.post('/reload-new', (req, res) => {
          s(req).reload((error) => res.json({ error: (error as { code?: string } | undefined)?.code ?? null }))
        })
        a.post(
          '/modify',
          wrap(async (req, res) => {
            const count = await getSession<{ count?: number }>(req).modify('count', (n) => (n ?? 0) + 1)
            res.json({ count })
          }),
        )
        a.post(
          '/cycle',
          wrap(async (req, res) => {
            await getSession(req).cycleKey()
            res.json({ ok: true })
          }),
        )
      })

    it('regenerate(cb): new object, data dropped, old key dead at once, new key on the response', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/login', jar)
      const old = jar.clone()
      const oldKey = jar.get('sessionid')
      const response = await request('POST', '/regenerate-cb', jar)
      expect(response.json()).toEqual({ same: false, id: null })
      expect(jar.get('sessionid')).not.toBe(oldKey)
      expect((await request('GET', '/show', jar)).json()).toEqual({ user: 'bob' })
      expect((await request('GET', '/show', old)).json()).toEqual({})
    })

    it('regenerate() as a promise; with nothing set afterwards the cookie is expired', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/login', jar)
      const response = await request('POST', '/regenerate-promise', jar)
      expect(response.json()).toEqual({ empty: true })
      expect(sessionCookies(response.setCookie).some((c) => c.includes('Max-Age=0'))).toBe(true)
      expect(jar.get('sessionid')).toBeUndefined()
    })

    it('save(cb) persists now: a later 500 does not undo it, changes after it are not saved', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      const response = await request('POST', '/save-then-500', jar)
      expect(response.status).toBe(500)
      const { id, sessionID } = response.json() as { id: string; sessionID: string }
      expect(id).toMatch(/^[a-z0-9]{32}$/)
      expect(sessionID).toBe(id)
      const replay = new CookieJar()
      replay.apply([`sessionid=${id}; Path=/`])
      expect((await request('GET', '/show', replay)).json()).toEqual({ saved: 'yes' })
    })

    it('save() twice and a final commit: everything arrives under one key', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/save-twice', jar)
      expect((await request('GET', '/show', jar)).json()).toEqual({ first: 1, second: 2, third: 3 })
    })

    it('destroy(cb): req.session is gone, the stored session too, the cookie is expired', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/login', jar)
      const old = jar.clone()
      const response = await request('POST', '/destroy', jar)
      expect(response.json()).toEqual({ session: null, sessionID: null })
      expect(sessionCookies(response.setCookie).some((c) => c.includes('Max-Age=0'))).toBe(true)
      expect((await request('GET', '/show', old)).json()).toEqual({})
    })

    it('reload() drops this request’s unsaved changes and reads the stored session again', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/login', jar)
      expect((await request('POST', '/reload', jar)).json()).toEqual({ user: 'ada', cart: ['book'] })
      expect((await request('GET', '/show', jar)).json()).toEqual({ user: 'ada', cart: ['book'] })
    })

    it('reload(cb) of a session never saved calls back with NOT_FOUND', async () => {
      const { request } = await app()
      expect((await request('POST', '/reload-new')).json()).toEqual({ error: 'NOT_FOUND' })
    })

    it('getSession(req) reaches sess’s own API: modify, cycleKey — and the properties still work beside it', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/login', jar)
      await Promise.all(Array.from({ length: 10 }, () => request('POST', '/modify', jar.clone())))
      const before = jar.get('sessionid')
      await request('POST', '/cycle', jar)
      expect(jar.get('sessionid')).not.toBe(before)
      expect((await request('GET', '/show', jar)).json()).toEqual({ user: 'ada', cart: ['book'], count: 10 })
    })
  })

  describe(`expressSessionCompat on ${label}: req.session.cookie (milliseconds) → setExpiry (seconds)`, () => {
    const app = () =>
      startCompat(express, (a) => {
        a.post('/remember', (req, res) => {
          s(req).user = 'ada'
          s(req).cookie.maxAge = 30 * 86_400_000
          res.json({ originalMaxAge: s(req).cookie.originalMaxAge })
        })
        a.post('/browser-session', (req, res) => {
          s(req).user = 'ada'
          s(req).cookie.expires = null
          res.json({ maxAge: s(req).cookie.maxAge })
        })
        a.post('/until', (req, res) => {
          s(req).user = 'ada'
          s(req).cookie.expires = new Date(Date.now() + 3_600_000)
          res.json({ ok: true })
        })
        a.post('/touch', (req, res) => {
          s(req).touch()
          res.json({ ok: true })
        })
        a.get('/cookie', (req, res) => {
          res.json({ ...s(req).cookie.toJSON(), maxAge: s(req).cookie.maxAge })
        })
        a.post('/set-path', (req, res) => {
          s(req).cookie.path = '/admin'
          res.json({ ok: true })
        })
      })
    const maxAgeOf = (setCookie: string[]) => /Max-Age=(\d+)/.exec(sessionCookies(setCookie)[0] ?? '')?.[1]

    it('a new session shows the app’s policy in ms; the attributes come from createSessions', async () => {
      const { request } = await app()
      const cookie = (await request('GET', '/cookie')).json() as Record<string, unknown>
      expect(cookie).toMatchObject({ originalMaxAge: 1_209_600_000, path: '/', httpOnly: true, secure: false, sameSite: 'lax' })
      expect(cookie.maxAge).toBeGreaterThan(1_209_590_000)
      expect(cookie.maxAge).toBeLessThanOrEqual(1_209_600_000)
    })

    it('cookie.maxAge = 30 days in ms gives a cookie of 2592000 seconds, kept by the next requests', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      const response = await request('POST', '/remember', jar)
      expect(response.json()).toEqual({ originalMaxAge: 2_592_000_000 })
      expect(maxAgeOf(response.setCookie)).toBe('2592000')
      expect((await request('GET', '/cookie', jar)).json()).toMatchObject({ originalMaxAge: 2_592_000_000 })
      expect(maxAgeOf((await request('POST', '/touch', jar)).setCookie)).toBe('2592000')
    })

    it('cookie.expires = null makes a browser-session cookie (no Max-Age)', async () => {
      const { request } = await app()
      const response = await request('POST', '/browser-session')
      expect(response.json()).toEqual({ maxAge: null })
      const cookie = sessionCookies(response.setCookie)[0]!
      expect(cookie).not.toContain('Max-Age')
      expect(cookie).not.toContain('Expires')
    })

    it('cookie.expires = a Date expires the session then', async () => {
      const { request } = await app()
      const maxAge = Number(maxAgeOf((await request('POST', '/until')).setCookie))
      expect(maxAge).toBeGreaterThan(3590)
      expect(maxAge).toBeLessThanOrEqual(3600)
    })

    it('cookie attributes are per app: setting one per request is refused with CONFIG', async () => {
      const { request } = await app()
      const response = await request('POST', '/set-path')
      expect(response.status).toBe(500)
      expect(response.json()).toEqual({ error: 'CONFIG' })
    })
  })
}

describe('getSession(req)', () => {
  it('without either middleware it throws CONFIG', () => {
    expect(() => getSession({} as Request)).toThrow(expect.objectContaining({ name: 'SessionError', code: 'CONFIG' }))
  })
})
