import { createSessions, type Sessions } from '@sess/core'
import { expressSessionCompat } from '@sess/express'
import { sqliteEngine } from '@sess/sqlite'
import flash from 'connect-flash'
import { csrfSync } from 'csrf-sync'
import express, { type NextFunction, type Request, type Response } from 'express'
import { Passport } from 'passport'
import { Strategy as LocalStrategy } from 'passport-local'
import { type User, Users } from './users.js'
import { page } from './views.js'

// The app's session data, as express-session code reads and writes it; `compat: true` types req.session so.
declare module '@sess/express' {
  interface SessionDataRegistry {
    compat: true
    data: { passport?: { user?: string }; flash?: Record<string, string[]>; csrfToken?: string | null; visits?: number }
  }
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The SQLite file of the sessions. */
  database: string
  /** Send the cookie only over HTTPS (turn on behind TLS). Default `false`. */
  secure?: boolean
}

/** The example app and its session layer (dispose it on shutdown). */
export interface App {
  app: express.Express
  sessions: Sessions
  users: Users
}

/**
 * An Express app as it was written for express-session + Passport + connect-flash + csrf-sync, moved onto sess:
 * the only session-specific lines are `createSessions` and `expressSessionCompat(sessions)`.
 */
export function createApp(options: AppOptions): App {
  const users = new Users()
  users.add('ada', 'lovelace')

  const passport = new Passport()
  passport.use(
    new LocalStrategy((username: string, password: string, done: (error: unknown, user?: User | false, info?: object) => void) => {
      const user = users.verify(username, password)
      done(null, user ?? false, user ? undefined : { message: 'Wrong name or password.' })
    }),
  )
  passport.serializeUser((user: User, done: (error: unknown, id?: string) => void) => done(null, user.id))
  passport.deserializeUser((id: string, done: (error: unknown, user?: User | false) => void) => done(null, users.byId(id) ?? false))

  const sessions = createSessions({
    engine: sqliteEngine({ path: options.database }),
    maxAge: 7 * 86_400, // seconds (express-session's cookie.maxAge was 7 * 86_400_000 ms)
    cookie: { name: 'sid', secure: options.secure ?? false },
  })
  const { csrfSynchronisedProtection, generateToken } = csrfSync({ getTokenFromRequest: (req) => req.body?._csrf })

  const app = express()
  app.use(express.urlencoded({ extended: false }))
  app.use(expressSessionCompat(sessions))
  app.use(passport.session())
  app.use(flash())
  app.use(csrfSynchronisedProtection)

  const signedIn = (req: Request) => (req as Request & { user?: User }).user
  app.get('/', (req, res) => {
    req.session.visits = (req.session.visits ?? 0) + 1
    const user = signedIn(req)
    res
      .type('html')
      .send(page({ user, visits: req.session.visits, messages: req.flash('info'), errors: req.flash('error'), csrf: generateToken(req) }))
  })
  app.post('/login', passport.authenticate('local', { failureRedirect: '/', failureFlash: true }), (req: Request, res: Response) => {
    // "Remember me": express-session's idiom, in milliseconds; sess saves it as setExpiry(2592000).
    if (req.body?.remember === 'on') req.session.cookie.maxAge = 30 * 86_400_000
    req.flash('info', `Welcome, ${signedIn(req)!.name}.`)
    res.redirect('/')
  })
  app.post('/logout', (req: Request, res: Response, next: NextFunction) => {
    ;(req as Request & { logout(cb: (error?: unknown) => void): void }).logout((error) => {
      if (error) return next(error)
      req.flash('info', 'Signed out.')
      res.redirect('/')
    })
  })
  app.get('/account', (req, res) => {
    const user = signedIn(req)
    if (!user) {
      res.status(401).json({ error: 'sign in first' })
      return
    }
    res.json({ user })
  })
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (error as { status?: number }).status ?? 500
    res
      .status(status)
      .type('text')
      .send(status === 403 ? 'Invalid or missing CSRF token.' : 'Something went wrong.')
  })
  return { app, sessions, users }
}
