import { SessionError } from './errors.js'

/**
 * What an app attaches to a signed-in session at `setUser` (user agent, IP, sign-in method… the app's choice), shown
 * back by `sessions.listFor`. JSON primitives only, at most {@link MAX_METADATA_ENTRIES} entries and
 * {@link MAX_METADATA_BYTES} bytes as JSON: it travels in every save of the session.
 */
export type UserMetadata = Record<string, string | number | boolean | null>

/** The user a session is signed in as (`session.getUser()`). */
export interface SessionUser {
  /** The app's user id, as given to `setUser`. */
  readonly id: string
  /** The metadata given to `setUser` (a copy). */
  readonly metadata: UserMetadata
}

/** The longest user id `setUser` takes, in UTF-16 code units. */
export const MAX_USER_ID_LENGTH = 256
/** The most metadata entries `setUser` takes. */
export const MAX_METADATA_ENTRIES = 16
/** The most bytes the metadata may take as UTF-8 JSON. */
export const MAX_METADATA_BYTES = 1024

/** Whether `text` has a C0 or C1 control character or a lone surrogate (text that does not survive UTF-8 in a database). */
function unsafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true
      i++
    } else if (c >= 0xdc00 && c <= 0xdfff) return true
  }
  return false
}
const encoder = new TextEncoder()

/** Why `value` is not a user id, or `null`. The text never contains the value. */
export function userIdProblem(value: unknown): string | null {
  if (typeof value !== 'string') return `a user id must be a string, not ${value === null ? 'null' : typeof value}`
  if (value.length === 0) return 'a user id must not be empty'
  if (value.length > MAX_USER_ID_LENGTH) return `a user id must be at most ${MAX_USER_ID_LENGTH} characters, not ${value.length}`
  if (unsafe(value)) return 'a user id must not contain control characters or lone surrogates'
  return null
}

/** Checks a user id an app passed; a bad one → `SessionError('DATA')` naming the call. */
export function checkUserId(value: unknown, what: string): string {
  const problem = userIdProblem(value)
  if (problem !== null) throw new SessionError('DATA', 'core', `${what}: ${problem}`)
  return value as string
}

/**
 * Why `value` is not metadata, or `null`. The text names keys and types, never values. `bounded: false` skips the
 * byte count (for metadata read back from a payload core wrote: its shape is checked, its size was at `setUser`).
 */
export function metadataProblem(value: unknown, bounded = true): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'metadata must be a plain object'
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return 'metadata must be a plain object'
  const entries = Object.entries(value)
  if (entries.length > MAX_METADATA_ENTRIES) return `metadata may have at most ${MAX_METADATA_ENTRIES} entries, not ${entries.length}`
  for (const [key, v] of entries) {
    const ok = v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
    if (!ok) return `metadata ${JSON.stringify(key.slice(0, 40))} must be a string, a finite number, a boolean or null`
  }
  if (!bounded) return null
  const bytes = encoder.encode(JSON.stringify(value)).length
  if (bytes > MAX_METADATA_BYTES) return `metadata may take at most ${MAX_METADATA_BYTES} bytes as JSON, not ${bytes}`
  return null
}

/** Checks metadata an app passed and returns a copy; bad → `SessionError('DATA')`. */
export function checkMetadata(value: unknown, what: string): UserMetadata {
  const problem = metadataProblem(value)
  if (problem !== null) throw new SessionError('DATA', 'core', `${what}: ${problem}`)
  return copyMetadata(value as UserMetadata)
}

/** A copy (keys such as `__proto__` stay plain data: `Object.fromEntries` defines, never assigns). */
export function copyMetadata(metadata: UserMetadata): UserMetadata {
  return Object.fromEntries(Object.entries(metadata))
}
