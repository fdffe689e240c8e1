import { decodePayload } from './payload.js'
import { checkLoaded } from './schema-hooks.js'
import { incomingCookie, type SessionState } from './state.js'

/** Loads the data once (concurrent callers share the read) and marks the session accessed. */
export function loaded(s: SessionState): Promise<SessionState> | SessionState {
  s.accessed = true
  if (s.phase === 'loaded') return s
  if (s.loading === null) {
    s.phase = 'loading'
    s.loading = load(s).then(() => {
      s.phase = 'loaded'
    })
  }
  return s.loading.then(() => s)
}

/**
 * Resolves the cookie to a live record: unknown, expired, malformed or corrupt sessions read as empty.
 * A store failure rejects, and every later data call of this request rejects with it (nothing half-loaded
 * is ever saved).
 */
async function load(s: SessionState): Promise<void> {
  const { store, emit, serializer } = s.ctx
  const incoming = incomingCookie(s)
  s.key = null
  s.data = new Map()
  if (incoming === null) return
  if (s.cookieKind !== 'wellFormed') {
    emit({ type: 'cookie.malformed', store: store.name })
    return
  }
  const now = s.ctx.clock()
  const found = await store.load(incoming.value, new Date(now))
  if (found === null || found.record.expiresAt.getTime() <= now) {
    emit({ type: 'session.unknown', store: store.name })
    return
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
    return
  }
  if (s.ctx.schema !== null) await checkLoaded(s)
}
