import { SessionError } from '@sess/core/engine'
import type { ConnectStoreLike } from './connect-types.js'

/** Options of {@link connectStore}. */
export interface ConnectStoreOptions {
  /**
   * The store keeps its data across restarts of the app (Redis with persistence, PostgreSQL, MongoDB, …).
   * It becomes the engine's `capabilities.durable`. Default `false` (express-session's `MemoryStore`).
   */
  durable?: boolean
  /** The engine's name in error messages. Default `connect:<the store's class name>`. */
  name?: string
}

/** The validated options. @internal */
export interface ResolvedConnectStoreOptions {
  durable: boolean
  name: string
}

/** Checks the store and the options once, at start-up. Anything wrong → `SessionError('CONFIG')`. @internal */
export function resolveConnectStoreOptions(store: unknown, options: ConnectStoreOptions = {}): ResolvedConnectStoreOptions {
  const candidate = store as Partial<ConnectStoreLike> | null
  if (typeof candidate !== 'object' || candidate === null)
    throw new SessionError('CONFIG', 'connect', 'connectStore(store) needs an express-session store (e.g. new RedisStore({ client }))')
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof candidate[method] !== 'function')
      throw new SessionError(
        'CONFIG',
        'connect',
        `connectStore(store): the store has no ${method}() method; it is not an express-session store`,
      )
  }
  if (typeof options !== 'object' || options === null) throw new SessionError('CONFIG', 'connect', 'connectStore options must be an object')
  if (options.durable !== undefined && typeof options.durable !== 'boolean')
    throw new SessionError('CONFIG', 'connect', 'connectStore option durable must be true or false')
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === ''))
    throw new SessionError('CONFIG', 'connect', 'connectStore option name must be a non-empty string')
  const className = (store as { constructor?: { name?: unknown } }).constructor?.name
  return {
    durable: options.durable ?? false,
    name: options.name ?? `connect:${typeof className === 'string' && className !== '' && className !== 'Object' ? className : 'store'}`,
  }
}

/** Options of {@link toConnectStore}. */
export interface ToConnectStoreOptions {
  /**
   * Seconds a session lives when its cookie has no expiry (express-session's `cookie.maxAge` unset: a
   * browser-session cookie). Default 86400 (one day, like connect-redis).
   */
  ttl?: number
  /** The clock, for tests. Default `() => new Date()`. */
  now?: () => Date | number
}

/** The validated options. @internal */
export interface ResolvedToConnectStoreOptions {
  ttl: number
  clock: () => number
}

/** Checks the engine and the options once, at start-up. @internal */
export function resolveToConnectStoreOptions(engine: unknown, options: ToConnectStoreOptions = {}): ResolvedToConnectStoreOptions {
  const candidate = engine as Record<string, unknown> | null
  if (typeof candidate !== 'object' || candidate === null)
    throw new SessionError('CONFIG', 'connect', 'toConnectStore(engine) needs a sess engine (e.g. sqliteEngine())')
  for (const method of ['read', 'create', 'update', 'destroy']) {
    if (typeof candidate[method] !== 'function')
      throw new SessionError(
        'CONFIG',
        'connect',
        `toConnectStore(engine): it has no ${method}() method; pass a server-side engine (signed cookies have no server state to share)`,
      )
  }
  if (typeof options !== 'object' || options === null)
    throw new SessionError('CONFIG', 'connect', 'toConnectStore options must be an object')
  const ttl = options.ttl ?? 86_400
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)
    throw new SessionError('CONFIG', 'connect', `toConnectStore option ttl must be a positive number of seconds, not ${String(ttl)}`)
  const now = options.now
  if (now !== undefined && typeof now !== 'function')
    throw new SessionError('CONFIG', 'connect', 'toConnectStore option now must be a function')
  return { ttl, clock: now ? () => +now() : Date.now }
}
