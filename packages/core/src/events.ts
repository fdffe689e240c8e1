/**
 * Something worth knowing that is not an error: reported through the `onEvent` option, never thrown.
 * Events never carry a session key or a cookie value (they are secrets).
 * - `cookie.malformed`: the cookie value does not have the key grammar or does not unseal; a fresh session is used.
 * - `session.unknown`: a well-formed key that the store does not know (or that expired); it is not adopted.
 * - `session.corrupt`: the stored payload does not parse; the session reads as empty.
 * - `session.invalid`: the stored data fails the `schema`; `paths` says where (never the values); `action` is the `onInvalid` option that follows.
 * - `session.conflict`: a parallel request saved first; this request's changes were re-applied on top (`attempt` counts from 1).
 * - `store.degraded`: a non-essential part of a store failed and was bypassed (e.g. the cache of cached-db).
 * - `store.corrupt`: a stored record is unreadable (e.g. a torn file) or has the wrong types (a payload that is not
 *   text, an expiry that is not a valid date, a version that is not a positive whole number). It is treated as
 *   absent: the visitor gets an empty session and, on the next save, a fresh key; the record is removed.
 * - `store.insecure`: a store's files are exposed to other local users (e.g. a session directory others can
 *   read); reported once, at start-up. `detail` says what and how to fix it.
 */
export type SessionEvent =
  | { type: 'cookie.malformed'; store: string }
  | { type: 'session.unknown'; store: string }
  | { type: 'session.corrupt'; store: string; error: unknown }
  | { type: 'session.invalid'; store: string; paths: readonly string[]; action: 'reset' | 'error' }
  | { type: 'session.conflict'; store: string; attempt: number }
  | { type: 'store.degraded'; store: string; action: string; error: unknown }
  | { type: 'store.corrupt'; store: string; detail: string; error?: unknown }
  | { type: 'store.insecure'; store: string; detail: string }

/** A listener for {@link SessionEvent}s. It must not throw (if it does, the error is swallowed). */
export type SessionEventListener = (event: SessionEvent) => void
