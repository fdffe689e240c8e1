import type { IncomingCookie } from './cookie.js'
import { expireAll, sessionCookies } from './cookie-set.js'
import type { SessionRecord } from './engine.js'
import { expiresAtBrowserClose } from './expiry.js'
import { loaded } from './load.js'
import { buildRecord, persist } from './save.js'
import { enqueue, incomingCookie, isEmpty, isTouched, needsSave, STATE, type HasState, type SessionState } from './state.js'

/** What a binding writes on the response after the handler. */
export interface SessionHeaders {
  /** `Set-Cookie` values to append (never replace the app's own). */
  readonly setCookie: readonly string[]
  /** Add `Vary: Cookie`: the response depends on the session. */
  readonly vary: boolean
}

/** Options of `sessions.commit`. */
export interface CommitOptions {
  /** The response status. From 500 on, nothing more is saved (Django's rule); a dead cookie is still removed. */
  status?: number
  /**
   * This commit goes with the response: its headers are on their way, so every later data write rejects
   * with `SessionError('COMMITTED')` instead of being lost. Bindings pass `true`. Default `false`: the
   * session may be changed and committed again.
   */
  final?: boolean
}

const NOTHING: SessionHeaders = Object.freeze({ setCookie: Object.freeze([]) as readonly string[], vary: false })
const VARY_ONLY: SessionHeaders = Object.freeze({ setCookie: Object.freeze([]) as readonly string[], vary: true })

/**
 * Saves what changed since the last save and returns the headers for the response. Commits and saves of one
 * session run one after another; a failed save keeps the changes, so a later commit tries again.
 * Synchronous for a session the request never touched.
 * @internal Reached through `sessions.commit`.
 */
export function commitSession(session: HasState, options?: CommitOptions): Promise<SessionHeaders> | SessionHeaders {
  const s = session[STATE]
  if (options?.final === true) s.final = true
  if (!isTouched(s)) return NOTHING
  const status = options?.status ?? 200
  return enqueue(s, () => commit(s, status))
}

/** Saves now if anything changed (`session.save()`); writes nothing for an empty session. */
export async function saveNow(s: SessionState): Promise<void> {
  await loaded(s)
  if (!needsSave(s) || isEmpty(s)) return
  await write(s, s.ctx.clock())
}

function commit(s: SessionState, status: number): Promise<SessionHeaders> {
  // One promise chain, not an async function: this runs on every request that touched its session.
  try {
    const { ctx } = s
    const incoming = incomingCookie(s)
    // Django: a cookie naming no session (malformed, unknown, flushed) is removed, whatever the status.
    if (incoming !== null && isEmpty(s)) return Promise.resolve({ setCookie: expireAll(ctx.cookie, incoming.chunks), vary: true })
    const vary = s.accessed ? VARY_ONLY : NOTHING
    const save = needsSave(s)
    if ((!save && s.saved === null) || isEmpty(s) || status >= 500) return Promise.resolve(vary)
    const now = ctx.clock()
    // Saved earlier in this request (`session.save()`): the response names that record.
    if (!save) return Promise.resolve(named(s, s.saved!, incoming, now))
    const ready = loaded(s)
    if (ready instanceof Promise) return ready.then(() => saveAndName(s, incoming, now))
    return saveAndName(s, incoming, now)
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Writes the loaded data and names the record written in the headers (or removes the cookie of emptied data). */
function saveAndName(s: SessionState, incoming: IncomingCookie | null, now: number): Promise<SessionHeaders> {
  if (isEmpty(s))
    return Promise.resolve(incoming === null ? VARY_ONLY : { setCookie: expireAll(s.ctx.cookie, incoming.chunks), vary: true })
  return write(s, now).then((record) => named(s, record, incoming, now))
}

/** The headers that name `record`: its cookie value (which a cookie-only store may compute), with its expiry. */
function named(
  s: SessionState,
  record: SessionRecord,
  incoming: IncomingCookie | null,
  now: number,
): SessionHeaders | Promise<SessionHeaders> {
  const value = s.ctx.store.cookieValue(s.key!, record)
  if (typeof value !== 'string') return value.then((v) => cookieHeaders(s, v, record, incoming, now))
  return cookieHeaders(s, value, record, incoming, now)
}

function cookieHeaders(
  s: SessionState,
  value: string,
  record: SessionRecord,
  incoming: IncomingCookie | null,
  now: number,
): SessionHeaders {
  const { ctx } = s
  const maxAge = expiresAtBrowserClose(s.expiry, ctx.expireAtBrowserClose) ? null : (record.expiresAt.getTime() - now) / 1000
  return { setCookie: sessionCookies(ctx.store, ctx.cookie, value, maxAge, now, incoming?.chunks ?? 0), vary: true }
}

/** Persists the data, or only moves the expiry when nothing changed and every request saves. */
function write(s: SessionState, now: number): Promise<SessionRecord> {
  const { store } = s.ctx
  if (!s.dirty && !s.reissue && s.record === 'stored' && s.key !== null && store.touch) return touch(s, now)
  return persist(s, now)
}

/** Moves the expiry only (nothing changed, but every request saves and the store can touch). */
async function touch(s: SessionState, now: number): Promise<SessionRecord> {
  const record = buildRecord(s, now, s.version, s.key!)
  await s.ctx.store.touch!(s.key!, record.expiresAt)
  s.saved = record
  return record
}
