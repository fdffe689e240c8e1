import { CliError, EXIT_CODES } from './errors.js'
import { formatDate, formatMetadata, jsonDate, keyValues, plural, safeText, table } from './format.js'
import { assertUserIndex, isCookieStore, method } from './reach.js'
import type { CliSessions } from './sessions-shape.js'

/** What a command prints: text for people, one JSON document for `--json`; `notes` go to stderr in both modes. */
export interface CommandOutput {
  text: string
  json: Record<string, unknown>
  notes?: string[]
}

/**
 * A per-process cache in front of the db (`cachedDbEngine` over `memoryEngine()`) is out of this process's reach:
 * the running app processes keep serving their cached copies of destroyed sessions to reads. The store cannot tell
 * which cache it has, so the operator is told whenever the store is cached-db.
 */
const CACHED_DB_NOTE =
  'cached-db: if its cache is per-process (memoryEngine), the running app processes keep serving their cached copies of these sessions to reads until they expire or are evicted; a shared cache (redisEngine) sees the destroy at once (see the Coherence section of the @sess/cached-db README)'

/** `sess clear-expired`: `sessions.purgeExpired()`, or a note when the store expires sessions by itself. */
export async function clearExpired(sessions: CliSessions): Promise<CommandOutput> {
  const store = sessions.store.name
  if (isCookieStore(sessions)) {
    const note = `${store} sessions live in the visitors' cookies and each one carries its own expiry: there is nothing to clear on the server`
    return { text: `nothing to clear: ${note}`, json: { store, removed: null, note } }
  }
  if (typeof sessions.store.purgeExpired !== 'function') {
    const note = `the ${store} engine's storage removes expired sessions by itself`
    return { text: `nothing to clear: ${note}`, json: { store, removed: null, note } }
  }
  const removed = await sessions.purgeExpired()
  return { text: `removed ${plural(removed, 'expired session')}`, json: { store, removed } }
}

/** `sess list --user ID`: the user's live sessions, newest first. */
export async function list(sessions: CliSessions, user: string): Promise<CommandOutput> {
  assertUserIndex(sessions, 'list')
  const listed = await method(sessions, 'listFor')(user)
  const store = sessions.store.name
  const json = {
    store,
    user,
    sessions: listed.map((s) => ({
      handle: s.handle,
      created: jsonDate(s.created),
      lastSaved: jsonDate(s.lastSaved),
      expires: jsonDate(s.expires),
      metadata: s.metadata ?? {},
    })),
  }
  const who = `user ${safeText(user)}`
  if (listed.length === 0) return { text: `no live sessions for ${who}`, json }
  const rows = listed.map((s) => [
    s.handle,
    formatDate(s.created),
    formatDate(s.lastSaved),
    formatDate(s.expires),
    formatMetadata(s.metadata),
  ])
  const text = `${plural(listed.length, 'live session')} for ${who}:\n${table(['HANDLE', 'CREATED', 'LAST SAVED', 'EXPIRES', 'METADATA'], rows)}`
  return { text, json }
}

/** `sess destroy --user ID [--except HANDLE | --handle HANDLE]`: signs the user out everywhere, everywhere else, or on one device. */
export async function destroy(
  sessions: CliSessions,
  user: string,
  { except, handle }: { except: string | undefined; handle: string | undefined },
): Promise<CommandOutput> {
  assertUserIndex(sessions, 'destroy')
  const store = sessions.store.name
  const who = `user ${safeText(user)}`
  if (handle !== undefined) {
    const removed = (await method(sessions, 'destroyHandle')(user, handle)) ? 1 : 0
    const text = removed
      ? `destroyed session ${handle} of ${who}`
      : `no live session ${handle} for ${who} (signed out or expired already): nothing destroyed`
    return { text, json: { store, user, handle, removed }, ...cachedDbNotes(store) }
  }
  const removed = await method(sessions, 'destroyAllFor')(user, except === undefined ? {} : { except })
  const text = `destroyed ${plural(removed, 'session')} of ${who}${except === undefined ? '' : ` (kept ${except})`}`
  return { text, json: except === undefined ? { store, user, removed } : { store, user, except, removed }, ...cachedDbNotes(store) }
}

function cachedDbNotes(store: string): { notes?: string[] } {
  return store === 'cached-db' ? { notes: [CACHED_DB_NOTE] } : {}
}

/** `sess stats`: what the store can tell about its live sessions. */
export async function stats(sessions: CliSessions): Promise<CommandOutput> {
  const store = sessions.store.name
  if (isCookieStore(sessions)) {
    throw new CliError(
      `stats: ${store} sessions live in the visitors' cookies, not on a server: there is nothing to count here`,
      EXIT_CODES.usage,
    )
  }
  const s = await method(sessions, 'stats')()
  const unknown = (value: number | null, why: string) => (value === null ? `unknown (${why})` : String(value))
  const text = keyValues([
    ['store', store],
    ['sessions', String(s.sessions)],
    ['signed in', unknown(s.signedIn, 'no user index')],
    ['earliest expiry', formatDate(s.earliestExpiry)],
    ['latest expiry', formatDate(s.latestExpiry)],
    ['bytes', unknown(s.bytes, 'the engine cannot tell')],
  ])
  return {
    text,
    json: {
      store,
      sessions: s.sessions,
      signedIn: s.signedIn,
      earliestExpiry: jsonDate(s.earliestExpiry),
      latestExpiry: jsonDate(s.latestExpiry),
      bytes: s.bytes,
    },
  }
}
