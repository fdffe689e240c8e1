import { createHash } from 'node:crypto'
import { isSessionError, SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import expressSession from 'express-session'
import type { ConnectSessionData, StoreCallback } from './connect-types.js'
import { resolveToConnectStoreOptions, type ToConnectStoreOptions } from './options.js'

/** A sess engine seen as an express-session `Store` (an `EventEmitter` with these methods). */
export interface ConnectStore {
  /** The session stored under `sid`, or `null` (absent or expired). */
  get(sid: string, callback: StoreCallback<ConnectSessionData | null>): void
  /** Stores `session` under `sid` (insert or replace), until its `cookie.expires` or, without one, for `ttl` seconds. */
  set(sid: string, session: ConnectSessionData, callback?: StoreCallback): void
  /** Removes the session. */
  destroy(sid: string, callback?: StoreCallback): void
  /** Moves the expiry to the session's `cookie.expires` without rewriting it; a missing session stays missing. */
  touch(sid: string, session: ConnectSessionData, callback?: StoreCallback): void
  /** express-session's `Store#on` (the base class is an `EventEmitter`). */
  on(event: string, listener: (...args: unknown[]) => void): this
}

const WRITE_ATTEMPTS = 8
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

/**
 * Makes a sess engine (SQLite, Redis, PostgreSQL, file, memory, cached-db, …) an express-session `Store`, so an
 * app can move its storage to sess first and its middleware later:
 * `app.use(session({ secret, store: toConnectStore(sqliteEngine({ path: 'sessions.db' })) }))`.
 *
 * express-session's session ids never reach the engine: each becomes a session key by SHA-256 (and the
 * engine stores a digest of that). The session is stored as express-session's JSON; its expiry is the
 * cookie's `expires`, or `ttl` seconds for browser-session cookies. `set` replaces the stored session
 * whole, as every express-session store does (express-session has no versions to merge); `touch` uses the
 * engine's `touch` when it has one and never brings back a destroyed session. Engine failures reach
 * express-session's callback as `SessionError('ENGINE')`, which it passes to `next(err)`.
 *
 * @param engine - a server-side engine (not a cookie store: signed cookies have no server state).
 * @param options - `ttl` (seconds, default 86400), `now` (tests).
 * @throws SessionError `CONFIG` when `engine` is not an engine or an option is invalid.
 */
export function toConnectStore(engine: SessionEngine, options?: ToConnectStoreOptions): ConnectStore {
  const { ttl, clock } = resolveToConnectStoreOptions(engine, options)
  return new EngineStore(engine, ttl, clock) as unknown as ConnectStore
}

class EngineStore extends expressSession.Store {
  readonly #engine: SessionEngine
  readonly #ttl: number
  readonly #clock: () => number

  constructor(engine: SessionEngine, ttl: number, clock: () => number) {
    super()
    this.#engine = engine
    this.#ttl = ttl
    this.#clock = clock
  }

  get(sid: string, callback: StoreCallback<ConnectSessionData | null>): void {
    respond(this.#get(String(sid)), callback)
  }

  set(sid: string, session: ConnectSessionData, callback?: StoreCallback): void {
    respond(this.#set(String(sid), session), callback)
  }

  destroy(sid: string, callback?: StoreCallback): void {
    respond(this.#engine.destroy(keyOf(String(sid))), callback)
  }

  touch(sid: string, session: ConnectSessionData, callback?: StoreCallback): void {
    respond(this.#touch(String(sid), session), callback)
  }

  async #get(sid: string): Promise<ConnectSessionData | null> {
    const record = await this.#engine.read(keyOf(sid), new Date(this.#clock()))
    if (record === null) return null
    let session: ConnectSessionData
    try {
      session = JSON.parse(record.payload) as ConnectSessionData
    } catch (error) {
      throw new SessionError('ENGINE', 'connect', 'a stored express-session session is not JSON', { cause: error })
    }
    if (typeof session !== 'object' || session === null || typeof session.cookie !== 'object' || session.cookie === null) return null
    // A touch moved the engine's expiry without rewriting the JSON: the record's expiry is the true one.
    if (session.cookie.expires != null) session.cookie.expires = record.expiresAt.toISOString()
    return session
  }

  async #set(sid: string, session: ConnectSessionData): Promise<void> {
    const key = keyOf(sid)
    const payload = JSON.stringify(session)
    const expiresAt = this.#expiresAt(session)
    for (let attempt = 1; ; attempt++) {
      const current = await this.#engine.read(key, new Date(this.#clock()))
      try {
        if (current === null) await this.#engine.create(key, { payload, expiresAt, version: 1 })
        else await this.#engine.update(key, { payload, expiresAt, version: current.version + 1 }, current.version)
        return
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) throw error
        if (isSessionError(error, 'KEY_CONFLICT') && current === null) {
          // Either a parallel set created it (the next round updates it) or an expired record is still there.
          const again = await this.#engine.read(key, new Date(this.#clock()))
          if (again === null) await this.#engine.destroy(key)
        } else if (!isSessionError(error, 'VERSION_CONFLICT') && !isSessionError(error, 'NOT_FOUND')) throw error
      }
    }
  }

  async #touch(sid: string, session: ConnectSessionData): Promise<void> {
    const key = keyOf(sid)
    const expiresAt = this.#expiresAt(session)
    if (this.#engine.touch) return this.#engine.touch(key, expiresAt)
    for (let attempt = 1; ; attempt++) {
      const current = await this.#engine.read(key, new Date(this.#clock()))
      if (current === null) return
      const record: SessionRecord = { payload: current.payload, expiresAt, version: current.version + 1 }
      try {
        await this.#engine.update(key, record, current.version)
        return
      } catch (error) {
        if (isSessionError(error, 'NOT_FOUND')) return
        if (!isSessionError(error, 'VERSION_CONFLICT') || attempt >= WRITE_ATTEMPTS) throw error
      }
    }
  }

  #expiresAt(session: ConnectSessionData): Date {
    const expires = session?.cookie?.expires
    const at = expires == null ? Number.NaN : new Date(expires).getTime()
    return new Date(Number.isNaN(at) ? this.#clock() + this.#ttl * 1000 : at)
  }
}

/** The sess key for an express-session id: 32 characters of `[a-z0-9]` from its SHA-256, so the engine sees a well-formed key. */
function keyOf(sid: string): string {
  const digest = createHash('sha256').update(sid).digest()
  let key = ''
  for (let i = 0; i < 32; i++) key += ALPHABET[digest[i]! % 36]
  return key
}

/** Hands the outcome to express-session's callback; without a callback a failure is thrown (as connect-redis does), never dropped. */
function respond<T>(work: Promise<T>, callback: StoreCallback<T> | undefined): void {
  work.then(
    (value) => callback?.(null, value),
    (error: unknown) => {
      if (!callback) throw error
      callback(error)
    },
  )
}
