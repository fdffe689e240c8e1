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

async function commit(s: SessionState, status: number): Promise<SessionHeaders> {
  const { ctx } = s
  const incoming = incomingCookie(s)
  // Django: a cookie naming no session (malformed, unknown, flushed) is removed, whatever the status.
  if (incoming !== null && isEmpty(s)) return { setCookie: expireAll(ctx.cookie, incoming.chunks), vary: true }
  const vary = s.accessed ? VARY_ONLY : NOTHING
  const save = needsSave(s)
  if ((!save && s.saved === null) || isEmpty(s) || status >= 500) return vary
  let record: SessionRecord
  const now = ctx.clock()
  if (save) {
    await loaded(s)
    if (isEmpty(s)) return incoming === null ? VARY_ONLY : { setCookie: expireAll(ctx.cookie, incoming.chunks), vary: true }
    record = await write(s, now)
  } else {
    record = s.saved! // saved earlier in this request (`session.save()`): the response names that record
  }
  const value = await ctx.store.cookieValue(s.key!, record)
  const maxAge = expiresAtBrowserClose(s.expiry, ctx.expireAtBrowserClose) ? null : (record.expiresAt.getTime() - now) / 1000
  return { setCookie: sessionCookies(ctx.store, ctx.cookie, value, maxAge, now, incoming?.chunks ?? 0), vary: true }
}

/** Persists the data, or only moves the expiry when nothing changed and every request saves. */
async function write(s: SessionState, now: number): Promise<SessionRecord> {
  const { store } = s.ctx
  if (!s.dirty && !s.reissue && s.record === 'stored' && s.key !== null && store.touch) {
    const record = buildRecord(s, now, s.version, s.key)
    await store.touch(s.key, record.expiresAt)
    s.saved = record
    return record
  }
  return persist(s, now)
}
