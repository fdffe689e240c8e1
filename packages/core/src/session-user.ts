import { SessionError } from './errors.js'
import { clearData, type SessionState } from './state.js'
import { checkMetadata, checkUserId, copyMetadata, type SessionUser, type UserMetadata } from './user.js'

/** The checked arguments of `setUser`: the id (or null) and the metadata, when given. */
export interface UserChange {
  readonly id: string | null
  readonly metadata: UserMetadata | undefined
}

/** Checks `setUser`'s arguments before anything loads; bad ones → `SessionError('DATA')`. */
export function checkUserChange(userId: unknown, metadata: unknown): UserChange {
  const what = 'setUser()'
  if (userId === null) {
    if (metadata !== undefined) throw new SessionError('DATA', 'core', `${what}: signing out (null) takes no metadata`)
    return { id: null, metadata: undefined }
  }
  return { id: checkUserId(userId, what), metadata: metadata === undefined ? undefined : checkMetadata(metadata, what) }
}

/**
 * Applies a checked `setUser` to a loaded session. Another user than the current one (anonymous → id, id → another
 * id, id → null) cycles the key at the next save, like `cycleKey()`; the same id only replaces the metadata (when
 * given). A signed-in session that signs in as another id also loses its data, as under Django's `login()`: nothing
 * of the last user's carries over to the next. Both are writes: `modified` becomes true and the next save writes.
 */
export function applyUser(s: SessionState, change: UserChange): void {
  const current = s.user
  const { id, metadata } = change
  if (id !== null && current !== null && current.id === id) {
    if (metadata === undefined) return
    s.user = { id, metadata }
  } else {
    if (id === null && current === null) return // already anonymous
    if (id !== null && current !== null) clearData(s) // another user: none of the last one's data carries over
    s.user = id === null ? null : { id, metadata: metadata ?? {} }
    if (s.record === 'stored') s.record = 'cycling' // a new user gets a new key: session fixation is impossible
  }
  s.userChanged = true
  s.modified = true
  s.dirty = true
}

/** A copy of the session's user for the app. */
export function userOf(s: SessionState): SessionUser | null {
  return s.user === null ? null : { id: s.user.id, metadata: copyMetadata(s.user.metadata) }
}
