import { assertSessions, SessionError, type Session, type SessionData, type Sessions } from '@sess/core/binding'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { collectChanges } from './compat-changes.js'
import { ageOf, loadInto } from './compat-load.js'
import { freshView } from './compat-session.js'
import { COMPAT, compatStateOf, type CompatState, type LoadedAge } from './compat-state.js'
import { commitBeforeSend, STATE } from './commit.js'
import type { ExpressSessionData } from './index.js'
import { slotDeclarer } from './request-slots.js'

// biome-ignore lint/suspicious/noExplicitAny: the commit hook serves every app's data type
type AnySessions = Sessions<any>

/**
 * An express-session-compatible `req.session`, for moving an existing Express app (Passport, connect-flash,
 * csurf successors, your own `req.session.user = …` code) onto sess without rewriting it. Mount it where
 * `session({ … })` of express-session was.
 *
 * Per request: when the request carries a session cookie, the session is loaded before the routes run (they
 * read `req.session.x` synchronously); without one nothing is read and no engine is called. `req.session`
 * then has express-session's shape — data as properties, `id`, `cookie` (ms), `regenerate`, `save`,
 * `destroy`, `reload`, `touch` with callbacks or promises — and `req.sessionID` is the key. When the
 * response is sent, every data key whose serialised value changed is written through sess's change log
 * (merged with parallel requests like any sess write), before the first byte, as `session()` does; a failed
 * save goes to `next(err)` (500, or 400 when a parallel request logged the session out).
 *
 * sess's own API stays at hand: `getSession(req)` is the sess session (`modify`, `cycleKey`, `flush`, …).
 *
 * @param sessions - made once with `createSessions({ engine })`.
 * @example
 * ```ts
 * const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })
 * app.use(expressSessionCompat(sessions))
 * app.use(passport.session())
 * app.get('/', (req, res) => {
 *   req.session.views = (req.session.views ?? 0) + 1
 *   res.json({ views: req.session.views })
 * })
 * ```
 */
export function expressSessionCompat<Data extends SessionData>(sessions: Sessions<Data>): RequestHandler {
  assertSessions(sessions, 'express', 'expressSessionCompat()')
  const hook = compatCommit(sessions)
  let defaultAge: LoadedAge | undefined
  // The policy of a new session, once (a session without a cookie is never read from the engine).
  const policy = ageOf(sessions.load(undefined)).then((age) => {
    defaultAge = age
  })

  const declare = slotDeclarer([COMPAT, 'session', 'sessionID'], [STATE])
  return function expressSessionCompatMiddleware(req: Request, res: Response, next: NextFunction): void {
    declare(req)
    if (defaultAge === undefined) {
      policy.then(() => expressSessionCompatMiddleware(req, res, next), next)
      return
    }
    const core = sessions.load(req.headers.cookie)
    const state: CompatState = {
      sessions,
      req,
      header: req.headers.cookie,
      core,
      view: null,
      snapshot: new Map(),
      expiry: undefined,
      age: defaultAge,
      defaultAge,
      cookie: null,
    }
    ;(req as { [COMPAT]?: CompatState })[COMPAT] = state
    if (core.isEmpty()) {
      // No cookie that could name a session: nothing to read.
      freshView(state, null)
      commitBeforeSend(res, hook, state as never, next)
      next()
      return
    }
    loadInto(state, core).then(() => {
      commitBeforeSend(res, hook, state as never, next)
      next()
    }, next)
  }
}

/** The commit `commitBeforeSend` runs: first hand the property changes to the sess session, then commit it. */
function compatCommit(sessions: AnySessions): AnySessions {
  return {
    ...sessions,
    commit(state: unknown, options) {
      const s = state as CompatState
      const changes = collectChanges(s)
      if (changes === null) return sessions.commit(s.core, options)
      return Promise.all(changes.writes).then(() => sessions.commit(s.core, options))
    },
  }
}

/**
 * The sess session behind this request's `req.session`, for sess's own API (`modify`, `cycleKey`, `flush`,
 * `setExpiry`, …). Works under `expressSessionCompat()` and under `session()` (where it is `req.session` itself).
 * Writes made through it are not mirrored onto `req.session`'s properties during the request: change one key
 * through one of the two only.
 * @throws SessionError `CONFIG` when neither middleware ran for `req`.
 */
export function getSession<Data extends SessionData = ExpressSessionData>(req: Request): Session<Data> {
  const state = compatStateOf(req)
  if (state !== undefined) return state.core as Session<Data>
  const own = (req as { session?: unknown }).session
  if (
    typeof own === 'object' &&
    own !== null &&
    typeof (own as Session).isEmpty === 'function' &&
    typeof (own as Session).get === 'function'
  )
    return own as Session<Data>
  throw new SessionError(
    'CONFIG',
    'express',
    'getSession(req) needs app.use(expressSessionCompat(sessions)) or app.use(session(sessions)) first',
  )
}
