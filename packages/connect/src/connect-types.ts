/**
 * The shapes of express-session's store API, written out here so that neither this package's users nor its
 * type declarations need `@types/express-session`.
 */

/** A Node-style callback, as express-session stores call them. */
export type StoreCallback<T = unknown> = (error?: unknown, value?: T) => void

/** The part of a stored express-session session this package reads: its cookie's expiry. */
export interface ConnectSessionData {
  cookie: { expires?: string | Date | null | undefined; originalMaxAge?: number | null | undefined; [key: string]: unknown }
  [key: string]: unknown
}

/**
 * An express-session `Store` (connect-redis, connect-pg-simple, connect-mongo, `MemoryStore`, …): callback
 * `get`, `set` and `destroy`, optionally `touch`.
 */
export interface ConnectStoreLike {
  get(sid: string, callback: StoreCallback<ConnectSessionData | null | undefined>): unknown
  set(sid: string, session: ConnectSessionData, callback?: StoreCallback): unknown
  destroy(sid: string, callback?: StoreCallback): unknown
  touch?(sid: string, session: ConnectSessionData, callback?: StoreCallback): unknown
}
