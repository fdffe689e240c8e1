import { assertSessions, isPromise, SessionError, type Session, type SessionData, type Sessions } from '@sess/core/binding'
// next has no exports map: Node's ESM resolver needs the file name (bundlers accept both)
import { cookies } from 'next/headers.js'
import { acceptsWrites, writeCookies, type CookieWriter } from './cookies.js'
import { readOnlyError, readOnlySession } from './read-only.js'

type CookieStore = Awaited<ReturnType<typeof cookies>>

/** Per request (Next's cookie store is one object per request): the session of each `sessions`. */
const perRequest = new WeakMap<CookieStore, Map<object, object>>()
/** Where a writable session commits: its `sessions` and the request's cookie store. */
const commits = new WeakMap<object, () => Promise<void>>()
const readOnly = new WeakSet<object>()

/**
 * This request's session, in a Route Handler, a Server Action or a Server Component (it reads `cookies()`
 * from `next/headers`). Lazy: nothing is read until the data is. Calls within one request
 * return the same session.
 *
 * Where Next lets the app set cookies (Route Handlers, Server Actions), change the session and then call
 * {@link commitSession}. In a Server Component, where cookies are read-only, reads work and every write
 * rejects with `SessionError('COMMITTED')` instead of being silently lost.
 *
 * @param sessions - made once with `createSessions({ engine })`, in a module of its own.
 */
export async function getSession<Data extends SessionData>(sessions: Sessions<Data>): Promise<Session<Data>> {
  assertSessions(sessions, 'next', 'getSession()')
  const store = await cookies()
  let sessionsOf = perRequest.get(store)
  if (sessionsOf === undefined) perRequest.set(store, (sessionsOf = new Map()))
  const known = sessionsOf.get(sessions)
  if (known !== undefined) return known as Session<Data>
  const loaded = sessions.load(cookieHeader(store))
  let session = loaded
  if (acceptsWrites(store)) commits.set(loaded, () => commitTo(store, sessions, loaded))
  else readOnly.add((session = readOnlySession(loaded)))
  sessionsOf.set(sessions, session)
  return session
}

/**
 * Saves the session from {@link getSession} (Django's end-of-request save: only when it changed) and sets
 * its cookie through `cookies().set`, next to the app's own cookies. Call it once, at the end of a Server
 * Action or Route Handler; later writes reject with `SessionError('COMMITTED')`. Rejects with
 * `SessionError` when the save fails (`NOT_FOUND`, status 400, when a parallel request logged the session out).
 * In a Server Component it rejects with `SessionError('COMMITTED')`: nothing can be saved there.
 */
export async function commitSession<Data extends SessionData>(session: Session<Data>): Promise<void> {
  const commit = commits.get(session)
  if (commit === undefined) {
    if (readOnly.has(session)) throw readOnlyError()
    throw new SessionError('CONFIG', 'next', 'commitSession() needs the session that getSession() returned')
  }
  await commit()
}

async function commitTo<Data extends SessionData>(store: CookieWriter, sessions: Sessions<Data>, session: Session<Data>): Promise<void> {
  let result = sessions.commit(session, { final: true })
  if (isPromise(result)) result = await result
  writeCookies(store, result.setCookie)
}

/**
 * The request's cookies as a `Cookie` header, from Next's store rather than the raw header: after a Server
 * Action set cookies, Next renders the page with them, so the page sees the session the action saved.
 */
function cookieHeader(store: CookieStore): string {
  return store
    .getAll()
    .map((cookie) => `${cookie.name}=${cookie.value}`)
    .join('; ')
}
