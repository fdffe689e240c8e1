import { expireAll, sessionCookies } from './cookie-set.js'
import type { SessionRecord, SessionStore } from './engine.js'
import { isSessionError, SessionError } from './errors.js'
import { expiresAtBrowserClose, expiresAtMs } from './expiry.js'
import { generateSessionKey } from './keys.js'
import { decodePayload, encodePayload } from './payload.js'
import { candidate, DELETED, isEmpty, loaded, sessionState, type Session, type SessionState } from './session.js'

/** What a binding writes on the response after the handler. */
export interface SessionHeaders {
  /** `Set-Cookie` values to append (never replace the app's own). */
  readonly setCookie: readonly string[]
  /** Add `Vary: Cookie`: the response depends on the session. */
  readonly vary: boolean
}

/** Options of `sessions.commit`. */
export interface CommitOptions {
  /** The response status. From 500 on, nothing is saved (Django's rule); a dead cookie is still removed. */
  status?: number
}

const NOTHING: SessionHeaders = Object.freeze({ setCookie: Object.freeze([]) as readonly string[], vary: false })
const KEY_ATTEMPTS = 10

/**
 * Saves the session if it needs saving and returns the headers for the response. Runs at most once per
 * session: later calls return the first result.
 * @internal Reached through `sessions.commit`.
 */
export function commitSession(session: Session<any>, options?: CommitOptions): Promise<SessionHeaders> | SessionHeaders {
  const s = sessionState(session)
  // The fast path: a request that never touched the session and whose cookie is absent or well-formed.
  if (!s.accessed && !s.modified && !s.ctx.saveEveryRequest && (s.header == null || !isEmpty(s) || candidate(s) === null)) return NOTHING
  return (s.committed ??= commit(s, options?.status ?? 200)) as Promise<SessionHeaders>
}

async function commit(s: SessionState, status: number): Promise<SessionHeaders> {
  const { ctx } = s
  const incoming = candidate(s)
  // Django: a cookie naming no session (malformed, unknown, flushed) is removed, whatever the status.
  if (incoming !== null && isEmpty(s)) return { setCookie: expireAll(ctx.cookie, incoming.chunks), vary: true }
  const vary = s.accessed
  if (!(s.modified || s.reissue || ctx.saveEveryRequest) || isEmpty(s) || status >= 500) return vary ? { setCookie: [], vary } : NOTHING
  await loaded(s)
  if (isEmpty(s))
    return incoming === null ? { setCookie: [], vary: true } : { setCookie: expireAll(ctx.cookie, incoming.chunks), vary: true }

  const now = ctx.clock()
  let record: SessionRecord
  if (!s.modified && !s.reissue && s.stored && s.key !== null && ctx.store.touch) {
    // saveEveryRequest on an unchanged session: only the expiry moves.
    record = buildRecord(s, now, s.version)
    await ctx.store.touch(s.key, record.expiresAt)
  } else {
    record = await save(s, now)
  }
  const value = await ctx.store.cookieValue(s.key!, record)
  const maxAge = expiresAtBrowserClose(s.expiry, ctx.expireAtBrowserClose) ? null : (record.expiresAt.getTime() - now) / 1000
  return { setCookie: sessionCookies(ctx.store, ctx.cookie, value, maxAge, now, incoming?.chunks ?? 0), vary: true }
}

/** Writes the session: a new record under a fresh key (new or cycled session), or a versioned update with merge on conflict. */
async function save(s: SessionState, now: number): Promise<SessionRecord> {
  const { store, maxConflictRetries, emit } = s.ctx
  if (!s.stored || s.key === null || s.cycle) {
    const previous = s.stored ? s.key : null
    s.created = now
    const record = buildRecord(s, now, 1)
    s.key = await createWithFreshKey(store, record)
    s.stored = true
    s.version = 1
    s.cycle = false
    if (previous !== null) await store.destroy(previous)
    return record
  }
  for (let attempt = 1; ; attempt++) {
    const record = buildRecord(s, now, s.version + 1)
    try {
      await store.update(s.key, record, s.version)
      s.version = record.version
      return record
    } catch (error) {
      if (!isSessionError(error, 'VERSION_CONFLICT') || attempt > maxConflictRetries) throw error
    }
    emit({ type: 'session.conflict', store: store.name, attempt })
    if (attempt > 1) await backoff(attempt)
    const fresh = await store.read(s.key, new Date(now))
    if (fresh === null)
      throw new SessionError('NOT_FOUND', store.name, 'the session ended (logged out or expired) while this request was using it')
    rebase(s, fresh)
  }
}

/** Puts this request's own changes on top of the data a parallel request saved. */
function rebase(s: SessionState, fresh: SessionRecord): void {
  s.version = fresh.version
  let payload
  try {
    payload = decodePayload(s.ctx.serializer, fresh.payload)
  } catch {
    return // The stored data is unreadable: this request's data replaces it.
  }
  s.created = payload.created
  if (!s.expiryChanged) s.expiry = payload.expiry
  if (s.forceAll) return
  const data = s.cleared ? new Map<string, unknown>() : payload.data
  for (const [key, value] of s.changes) {
    if (value === DELETED) data.delete(key)
    else data.set(key, value)
  }
  s.data = data
}

/**
 * Waits a random 0…2^attempt ms (at most 64) before retrying a conflicted save: many writers on one session
 * then spread out instead of colliding again, and the first retry stays immediate.
 */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 64)))
}

function buildRecord(s: SessionState, now: number, version: number): SessionRecord {
  const { ctx } = s
  const payload = encodePayload(ctx.serializer, { data: s.data, created: s.created, expiry: s.expiry })
  return { payload, expiresAt: new Date(expiresAtMs(s.expiry, now, s.created, ctx.maxAge, ctx.absoluteMaxAge)), version }
}

async function createWithFreshKey(store: SessionStore, record: SessionRecord): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const key = generateSessionKey()
    try {
      await store.create(key, record)
      return key
    } catch (error) {
      if (!isSessionError(error, 'KEY_CONFLICT') || attempt >= KEY_ATTEMPTS) throw error
    }
  }
}
