import { SessionError, type SessionEventListener } from '@sess/core/engine'
import { toConnection, type RedisClientLike, type RedisConnection } from './client.js'

/** Options of {@link redisEngine}. */
export interface RedisEngineOptions {
  /**
   * A connected client: node-redis (`createClient()`, v4/v5, or a cluster), ioredis (`new Redis()` or `Cluster`),
   * or a {@link RedisSend} function. The engine never connects, quits or configures it.
   */
  client: RedisClientLike
  /** Prepended to the SHA-256 (hex) of the session key to name the Redis key. Default `sess:`. */
  prefix?: string
  /**
   * Milliseconds after which a command that got no reply fails with `SessionError('ENGINE')` (Redis down,
   * network cut, client reconnecting). Default 2000.
   */
  commandTimeoutMs?: number
  /** Receives `store.corrupt` when a key under the prefix holds a value the engine did not write. */
  onEvent?: SessionEventListener
}

/** Options after defaults and validation. */
export interface ResolvedRedisOptions {
  connection: RedisConnection
  prefix: string
  commandTimeoutMs: number
  onEvent: SessionEventListener | undefined
}

/** The engine's name in errors and events. */
export const NAME = 'redis'

/** Applies defaults and validates; a client it cannot use or a bad option throws `SessionError('CONFIG')`. */
export function resolveRedisOptions(options: RedisEngineOptions): ResolvedRedisOptions {
  const connection = toConnection(options?.client)
  if (!connection)
    throw new SessionError('CONFIG', NAME, 'client must be a node-redis or ioredis client, or a function that sends one command')
  const prefix = options.prefix ?? 'sess:'
  if (typeof prefix !== 'string') throw new SessionError('CONFIG', NAME, 'prefix must be a string')
  const commandTimeoutMs = options.commandTimeoutMs ?? 2000
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0)
    throw new SessionError('CONFIG', NAME, 'commandTimeoutMs must be a positive number of milliseconds')
  return { connection, prefix, commandTimeoutMs, onEvent: options.onEvent }
}
