import flash from 'connect-flash'
import type { Request } from 'express'
import { Passport } from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { describe, expect, it } from 'vitest'
import { CookieJar, EXPRESS, startCompat } from './test-compat.js'

type PassportRequest = Request & { user?: { id: string }; logout: (cb: (error?: unknown) => void) => void; session: any }

for (const [label, express] of EXPRESS) {
  describe(`passport 0.7 + passport-local through expressSessionCompat on ${label}`, () => {
    const app = (options: { keepSessionInfo?: boolean } = {}) => {
      const passport = new Passport()
      passport.use(
        new LocalStrategy((username, password, done) =>
          password === 'secret' ? done(null, { id: username }) : done(null, false, { message: 'Wrong password' }),
        ),
      )
      passport.serializeUser((user: { id: string }, done: (e: null, id: string) => void) => done(null, user.id))
      passport.deserializeUser((id: string, done: (e: null, user: { id: string }) => void) => done(null, { id }))
      return startCompat(
        express,
        (a) => {
          a.use(flash())
          a.use(passport.session())
          a.post('/visit', (req, res) => {
            ;(req as PassportRequest).session.visited = true
            res.json({ ok: true })
          })
          a.post(
            '/login',
            passport.authenticate('local', {
              failureRedirect: '/login',
              failureFlash: true,
              keepSessionInfo: options.keepSessionInfo === true,
            }),
            (req: Request, res) => res.json({ user: (req as PassportRequest).user }),
          )
          a.get('/login', (req, res) => res.json({ errors: (req as Request & { flash(type: string): string[] }).flash('error') }))
          a.get('/me', (req, res) => {
            const r = req as PassportRequest
            res.json({ user: r.user ?? null, visited: r.session.visited ?? null })
          })
          a.post('/logout', (req, res, next) => {
            ;(req as PassportRequest).logout((error) => (error ? next(error) : res.redirect('/')))
          })
        },
        {},
        (a) => a.use(express.urlencoded({ extended: false })),
      )
    }
    const form = (username: string, password: string) => ({
      body: new URLSearchParams({ username, password }).toString(),
      contentType: 'application/x-www-form-urlencoded',
    })

    it('logs in, keeps req.user on the next request, changes the key and kills the old one', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/visit', jar)
      const anonymous = jar.clone()
      const before = jar.get('sessionid')!
      const login = await request('POST', '/login', jar, form('ada', 'secret'))
      expect(login.status).toBe(200)
      expect(login.json()).toEqual({ user: { id: 'ada' } })
      expect(jar.get('sessionid')).toMatch(/^[a-z0-9]{32}$/)
      expect(jar.get('sessionid')).not.toBe(before)
      // Passport regenerates: like express-session, the anonymous data is dropped.
      expect((await request('GET', '/me', jar)).json()).toEqual({ user: { id: 'ada' }, visited: null })
      expect((await request('GET', '/me', anonymous)).json()).toEqual({ user: null, visited: null })
    })

    it('keepSessionInfo: true carries the anonymous data over to the new key', async () => {
      const { request } = await app({ keepSessionInfo: true })
      const jar = new CookieJar()
      await request('POST', '/visit', jar)
      await request('POST', '/login', jar, form('ada', 'secret'))
      expect((await request('GET', '/me', jar)).json()).toEqual({ user: { id: 'ada' }, visited: true })
    })

    it('req.logout() ends the login: the next request has no user, the logged-in key is dead', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      await request('POST', '/login', jar, form('ada', 'secret'))
      const loggedIn = jar.clone()
      const logout = await request('POST', '/logout', jar)
      expect(logout.status).toBe(302)
      expect((await request('GET', '/me', jar)).json()).toEqual({ user: null, visited: null })
      expect((await request('GET', '/me', loggedIn)).json()).toEqual({ user: null, visited: null })
    })

    it('a wrong password redirects with a flash message (failureFlash through connect-flash), shown once', async () => {
      const { request } = await app()
      const jar = new CookieJar()
      const login = await request('POST', '/login', jar, form('ada', 'nope'))
      expect(login.status).toBe(302)
      expect(login.headers.get('location')).toBe('/login')
      expect((await request('GET', '/login', jar)).json()).toEqual({ errors: ['Wrong password'] })
      expect((await request('GET', '/login', jar)).json()).toEqual({ errors: [] })
      expect((await request('GET', '/me', jar)).json()).toEqual({ user: null, visited: null })
    })
  })
}
