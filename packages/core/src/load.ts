import { decodePayload } from './payload.js'
import { checkLoaded } from './schema-hooks.js'
import { incomingCookie, type SessionState } from './state.js'
import type { LoadedSession } from './engine.js'

/** Loads the data once (concurrent callers share the read) and marks the session accessed. */
export function loaded(s: SessionState): Promise<SessionState> | SessionState {
  s.accessed = true
  if (s.phase === 'loaded') return s
  if (s.loading === null) {
    s.phase = 'loading'
    const result = load(s)
    if (!(result instanceof Promise)) return result // no cookie, or one naming no session: loaded at once
    s.loading = result
  }
  return s.loading
}

/**
 * Resolves the cookie to a live record: unknown, expired, malformed or corrupt sessions read as empty.
 * A store failure rejects, and every later data call of this request rejects with it (nothing half-loaded
 * is ever saved). Written as one promise chain (no async frames): it runs on every request that reads.
 */
function load(s: SessionState): Promise<SessionState> | SessionState {
  try {
    const { store, emit } = s.ctx
    const incoming = incomingCookie(s)
    s.key = null
    if (incoming === null) return empty(s)
    if (s.cookieKind !== 'wellFormed') {
      emit({ type: 'cookie.malformed', store: store.name })
      return empty(s)
    }
    const now = s.ctx.clock()
    return store.load(incoming.value, new Date(now)).then((found) => accept(s, found, now))
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Takes what the store found for the cookie: a live record's data (checked by the schema), or nothing. */
function accept(s: SessionState, found: LoadedSession | null, now: number): SessionState | Promise<SessionState> {
  const { store, emit, serializer } = s.ctx
  if (found === null || found.record.expiresAt.getTime() <= now) {
    emit({ type: 'session.unknown', store: store.name })
    return empty(s)
  }
  s.key = found.key
  s.record = 'stored'
  s.version = found.record.version
  s.reissue = found.reissue === true
  try {
    const payload = decodePayload(serializer, found.record.payload)
    s.data = payload.data
    s.created = payload.created
    s.expiry = payload.expiry
    s.user = payload.user
  } catch (error) {
    emit({ type: 'session.corrupt', store: store.name, error })
    s.created = now
    return empty(s)
  }
  if (s.ctx.schema !== null) return checkLoaded(s).then(() => done(s))
  return done(s)
}

/** Marks the data loaded as empty: no session, or none that can be read (a fresh map, written by this request). */
function empty(s: SessionState): SessionState {
  s.data = new Map()
  return done(s)
}

/** Marks the data loaded. */
function done(s: SessionState): SessionState {
  s.phase = 'loaded'
  return s
}
