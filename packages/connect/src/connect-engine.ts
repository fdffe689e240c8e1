import { createHash } from 'node:crypto'
import { engineError, SessionError, type EngineCapabilities, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import type { ConnectSessionData, ConnectStoreLike, StoreCallback } from './connect-types.js'
import { KeyLock } from './key-lock.js'
import { resolveConnectStoreOptions, type ConnectStoreOptions } from './options.js'

/**
 * What an engine over an express-session store can do. Beyond sess's own capabilities it says, honestly,
 * that the store has no compare-and-set.
 */
export interface ConnectEngineCapabilities extends EngineCapabilities {
  /**
   * `false`: an express-session store only has `get` and `set`, so a versioned update is a read and a write.
   * Inside one process this engine queues the saves of each session, so versions, `KEY_CONFLICT` and
   * `NOT_FOUND` hold exactly. Between processes that share the store, two saves of one session can still
   * interleave: the later write wins whole (a lost update), and a save racing a logout in another process can
   * write the session back. Use an engine with compare-and-set (`@sess/redis`, `@sess/postgres`) when that matters.
   */
  readonly compareAndSet: false
}

/** A sess engine over an express-session store. */
export interface ConnectEngine extends SessionEngine {
  readonly capabilities: ConnectEngineCapabilities
}

/** What this engine stores under a session's id, in the store's own format (its TTL comes from `cookie.expires`). */
interface StoredSession extends ConnectSessionData {
  cookie: { originalMaxAge: null; expires: string }
  sess: { payload: string; version: number }
}

/**
 * Makes any express-session `Store` (connect-redis, connect-pg-simple, connect-mongo, express-session's
 * `MemoryStore`, …) a sess engine: `createSessions({ engine: connectStore(new RedisStore({ client })) })`.
 *
 * The store keeps sess's record (payload, version, expiry) as one session object whose `cookie.expires`
 * is the record's expiry, so the store's own TTL removes it. Session keys reach the store only as SHA-256
 * digests. Saves of one session are queued in this process, which makes `create`, `update` with its
 * version check and `destroy` exact here; across processes the store has no compare-and-set
 * (`capabilities.compareAndSet` is `false`, see there). Expired records are removed by the store itself
 * (`purge: false`); `touch` is not offered (`touch: false`), since a store's `touch` moves the TTL without
 * the stored expiry. The engine never closes the store or its client: the app that made them does.
 *
 * @param store - an express-session store instance.
 * @param options - `durable` (default `false`), `name`.
 * @throws SessionError `CONFIG` when `store` has no `get`, `set` or `destroy`.
 */
export function connectStore(store: ConnectStoreLike, options?: ConnectStoreOptions): ConnectEngine {
  const { durable, name } = resolveConnectStoreOptions(store, options)
  const lock = new KeyLock()
  const sidOf = (key: string): string => createHash('sha256').update(key).digest('hex')
  const fail = (action: string) => (error: unknown) => {
    throw engineError(name, action, error)
  }

  const get = (sid: string): Promise<SessionRecord | null> =>
    call<ConnectSessionData | null | undefined>((cb) => store.get(sid, cb)).then((found) => decode(found), fail('read'))
  const put = (sid: string, record: SessionRecord): Promise<void> =>
    call((cb) => store.set(sid, encode(record), cb)).then(() => undefined, fail('write'))

  return {
    name,
    capabilities: Object.freeze({ durable, touch: false, purge: false, compareAndSet: false }),
    async read(key, now) {
      const record = await get(sidOf(key))
      return record !== null && record.expiresAt.getTime() > now.getTime() ? record : null
    },
    create(key, record) {
      const sid = sidOf(key)
      return lock.run(sid, async () => {
        if ((await get(sid)) !== null) throw new SessionError('KEY_CONFLICT', name, 'a session with this key exists')
        await put(sid, record)
      })
    },
    update(key, record, ifVersion) {
      const sid = sidOf(key)
      return lock.run(sid, async () => {
        const current = await get(sid)
        if (current === null) throw new SessionError('NOT_FOUND', name, 'the session is gone (logged out or expired)')
        if (ifVersion !== undefined && current.version !== ifVersion)
          throw new SessionError('VERSION_CONFLICT', name, 'the session was saved by a parallel request')
        await put(sid, record)
      })
    },
    destroy(key) {
      const sid = sidOf(key)
      return lock.run(sid, () => call((cb) => store.destroy(sid, cb)).then(() => undefined, fail('destroy')))
    },
  }
}

function encode(record: SessionRecord): StoredSession {
  return {
    cookie: { originalMaxAge: null, expires: record.expiresAt.toISOString() },
    sess: { payload: record.payload, version: record.version },
  }
}

/** The record in what the store returned, or `null` when it is absent or not one of ours (never trusted blindly). */
function decode(found: ConnectSessionData | null | undefined): SessionRecord | null {
  if (typeof found !== 'object' || found === null) return null
  const sess = (found as Partial<StoredSession>).sess
  const expires = found.cookie?.expires
  if (typeof sess !== 'object' || sess === null || typeof sess.payload !== 'string') return null
  if (!Number.isSafeInteger(sess.version) || sess.version < 1) return null
  const expiresAt = expires instanceof Date ? new Date(expires.getTime()) : typeof expires === 'string' ? new Date(expires) : null
  if (expiresAt === null || Number.isNaN(expiresAt.getTime())) return null
  return { payload: sess.payload, expiresAt, version: sess.version }
}

/** Calls a callback-style store method; a synchronous throw or a returned rejected promise count as failures too. */
function call<T = unknown>(method: (callback: StoreCallback<T>) => unknown): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    let settled = false
    const callback: StoreCallback<T> = (error, value) => {
      if (settled) return
      settled = true
      if (error) reject(error)
      else resolve(value)
    }
    try {
      const returned = method(callback) as { then?: unknown } | undefined
      if (returned && typeof returned.then === 'function') (returned as Promise<unknown>).catch(callback)
    } catch (error) {
      callback(error)
    }
  })
}
