/**
 * @module @sess/react-router
 * React Router 7 (and Remix) session storage backed by `@sess/core`: `createSessStorage(sessions)` returns
 * React Router's own `SessionStorage`, so an app switches storage in one line.
 */
import { assertSessions, privateCacheControl, SessionError, type Session, type SessionData, type Sessions } from '@sess/core/binding'
import { createSession, data, type Session as RouterSession, type SessionStorage } from 'react-router'

/** The cookie options React Router's `commitSession` / `destroySession` take; sess honours `maxAge` and `expires`. */
export interface SessCommitOptions {
  /** Seconds the session lives from now (calls `session.setExpiry(maxAge)`; `0`: until the browser closes). */
  maxAge?: number
  /** When the session ends (calls `session.setExpiry(expires)`). */
  expires?: Date
}

// biome-ignore lint/suspicious/noExplicitAny: the storage serves every app's data type
type AnySession = Session<any>
interface Loaded {
  readonly session: AnySession
  /** Each key's value as JSON when it was read: only keys that differ are written back (parallel requests merge). */
  readonly snapshot: Map<string, { value: unknown; text: string | null }>
}

const HONOURED = new Set(['maxAge', 'expires'])
const LOADED = new WeakMap<object, Loaded>()

/**
 * The `@sess/core` session behind a React Router session from {@link createSessStorage}, for what React Router's
 * API cannot say: `cycleKey()` on login (keeps saves acknowledged meanwhile), `modify(key, fn)` for an atomic
 * read-modify-write (counters, carts), `setExpiry()`. Its writes are saved by the next `commitSession`.
 * Throws `SessionError('CONFIG')` for a session another storage made. E.g. on login:
 * `await sessOf(session).cycleKey()`, then `session.set('userId', id)` and `commitSession(session)`.
 */
// biome-ignore lint/suspicious/noExplicitAny: any React Router session, whatever its data type
export function sessOf<Data extends SessionData = SessionData>(session: RouterSession<any, any>): Session<Data> {
  return loadedOf(session, 'sessOf').session as Session<Data>
}

function loadedOf(session: object, method: string): Loaded {
  const found = LOADED.get(session)
  if (found) return found
  throw new SessionError('CONFIG', 'react-router', `${method} needs a session that getSession() of a createSessStorage() storage returned`)
}

/**
 * React Router's `SessionStorage` over `sessions` (made once with `createSessions({ engine })`): the data lives
 * in sess's engine under a random key, with sess's expiry, versioned saves and no-resurrection; the cookie is
 * sess's (name and attributes from `createSessions({ cookie })`).
 *
 * - `getSession(cookieHeader)` loads the data (a fresh, empty session for a missing, malformed or dead cookie).
 *   `session.flash(key, value)` and the read-once `session.get(key)` are React Router's own.
 * - `commitSession(session, { maxAge?, expires? })` saves the keys that changed (other keys a parallel request
 *   saved are kept) and resolves with the `Set-Cookie` value; `''` when there is nothing to set (nothing changed,
 *   or an empty session, which sess does not store). `maxAge` / `expires` set the session's expiry.
 * - `destroySession(session)` deletes the stored session and resolves with the cookie that removes it (`''` when
 *   the request had no session cookie).
 *
 * A save the engine refuses rejects with `SessionError` (React Router answers 500). A save whose session was
 * ended meanwhile (a parallel logout) throws `data(…, { status: 400 })`: a 400, and the session stays dead.
 * `session.id` is always `''`: the key is a secret and is never handed to the app.
 *
 * @example
 * ```ts
 * export const { getSession, commitSession, destroySession } = createSessStorage(
 *   createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) }),
 * )
 * ```
 */
export function createSessStorage<Data extends SessionData = SessionData, FlashData = Data>(
  // biome-ignore lint/suspicious/noExplicitAny: any app's Sessions, whatever its data type
  sessions: Sessions<any>,
): SessionStorage<Data, FlashData> {
  assertSessions(sessions, 'react-router', 'createSessStorage()')
  const commit = async (session: AnySession): Promise<string> => {
    try {
      const { setCookie } = await sessions.commit(session, { status: 200 })
      if (setCookie.length > 1)
        throw new SessionError('CONFIG', 'react-router', `the store needs ${setCookie.length} cookies; commitSession can return only one`)
      return setCookie[0] ?? ''
    } catch (error) {
      if ((error as { code?: unknown }).code === 'NOT_FOUND' && error instanceof SessionError) throw data(error.message, { status: 400 })
      throw error
    }
  }
  return {
    async getSession(cookieHeader) {
      const session = sessions.load(cookieHeader)
      const entries = await session.entries()
      const routerSession = createSession<Data, FlashData>(Object.fromEntries(entries) as never, '')
      LOADED.set(routerSession, { session, snapshot: new Map(entries.map(([key, value]) => [key, fingerprint(value)])) })
      return routerSession
    },
    async commitSession(routerSession, options) {
      const { session, snapshot } = loadedOf(routerSession, 'commitSession')
      const current = routerSession.data as Record<string, unknown>
      for (const key of snapshot.keys()) if (!(key in current)) await session.delete(key)
      for (const [key, value] of Object.entries(current)) {
        const before = snapshot.get(key)
        if (before === undefined || before.value !== value || before.text === null || before.text !== fingerprint(value).text) {
          await session.set(key, value)
        }
      }
      await applyExpiry(session, options)
      return commit(session)
    },
    async destroySession(routerSession, options) {
      const { session } = loadedOf(routerSession, 'destroySession')
      checkOptions(options)
      await session.flush()
      return commit(session)
    },
  }
}

async function applyExpiry(session: AnySession, options: SessCommitOptions | undefined): Promise<void> {
  checkOptions(options)
  if (options?.maxAge != null) await session.setExpiry(options.maxAge)
  else if (options?.expires != null) await session.setExpiry(options.expires)
}

/** Cookie attributes other than the expiry are sess's, set once in `createSessions({ cookie })`: refuse them loudly. */
function checkOptions(options: object | undefined): void {
  for (const [name, value] of Object.entries(options ?? {})) {
    if (value !== undefined && !HONOURED.has(name))
      throw new SessionError(
        'CONFIG',
        'react-router',
        `the cookie option ${name} belongs in createSessions({ cookie }), not in commitSession`,
      )
  }
}

/**
 * The headers a response that used the session needs, for `data(…, { headers })`, `redirect(…, { headers })` or
 * `new Response(…, { headers })`: every non-empty `Set-Cookie` value given (`commitSession` / `destroySession`
 * results), `Vary: Cookie`, and `Cache-Control: private` when a cookie is set (a shared cache must not store it).
 *
 * @example
 * ```ts
 * return data({ user }, { headers: sessionHeaders(await commitSession(session)) })
 * ```
 */
export function sessionHeaders(...setCookie: string[]): Headers {
  const headers = new Headers({ vary: 'Cookie' })
  for (const cookie of setCookie) if (cookie !== '') headers.append('set-cookie', cookie)
  if (headers.has('set-cookie')) headers.set('cache-control', privateCacheControl(null)!)
  return headers
}

/**
 * What a loaded value looked like, to tell at commit whether the app changed it (also in place). Rich values
 * (BigInt, Map, Set, Date) are described too; a value that cannot be described (a cycle) counts as changed
 * whenever it is committed, so an in-place change is never lost.
 */
function fingerprint(value: unknown): { value: unknown; text: string | null } {
  try {
    const text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return { $bigint: v.toString() }
      if (v instanceof Map) return { $map: [...v] }
      if (v instanceof Set) return { $set: [...v] }
      if (v instanceof Date) return { $date: v.getTime() }
      if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) }
      if (v === undefined) return { $undefined: true }
      return v
    })
    return { value, text: text ?? null }
  } catch {
    return { value, text: null }
  }
}
