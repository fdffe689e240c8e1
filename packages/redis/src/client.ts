/** One command as the engine sends it: the arguments, the single key it touches, and a signal that fires on timeout. */
export interface RedisCommand {
  /** The command and its arguments, e.g. `['GET', 'sess:…']`. Every argument is a string. */
  readonly args: readonly string[]
  /** The one key the command touches (for routing on Redis Cluster). */
  readonly key: string
  /** The command only reads. */
  readonly readOnly: boolean
  /** Aborted when the engine gives up on the command (its `commandTimeoutMs`). */
  readonly signal: AbortSignal
}

/**
 * The structural client interface: a function that sends one command and resolves with its reply
 * (`null` for a nil reply, strings for bulk strings, numbers for integers) or rejects with the server's error.
 * Any client fits behind it; node-redis and ioredis are adapted automatically.
 */
export type RedisSend = (command: RedisCommand) => Promise<unknown>

/** The part of a node-redis (v4/v5) client the engine uses. */
export interface NodeRedisClientLike {
  sendCommand(args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

/** The part of a node-redis (v4/v5) cluster the engine uses. */
export interface NodeRedisClusterLike {
  readonly masters: unknown
  sendCommand(firstKey: string, isReadonly: boolean, args: string[], options?: { abortSignal?: AbortSignal }): Promise<unknown>
}

/** The part of an ioredis client (`Redis` or `Cluster`) the engine uses. */
export interface IoRedisLike {
  call(command: string, ...args: string[]): Promise<unknown>
}

/** What the `client` option accepts: a node-redis client or cluster, an ioredis client or cluster, or a {@link RedisSend} function. */
export type RedisClientLike = NodeRedisClientLike | NodeRedisClusterLike | IoRedisLike | RedisSend

/**
 * Turns a client into a {@link RedisSend}, or returns `null` when `client` is none of the known shapes.
 * ioredis is recognised by `call`, a node-redis cluster by `masters` + `sendCommand`, a node-redis client by `sendCommand`.
 */
export function toSend(client: unknown): RedisSend | null {
  if (typeof client === 'function') return client as RedisSend
  if (typeof client !== 'object' || client === null) return null
  const c = client as Record<string, unknown>
  if (typeof c.call === 'function') {
    const io = client as IoRedisLike
    return ({ args }) => io.call(args[0]!, ...args.slice(1))
  }
  if (typeof c.sendCommand === 'function' && 'masters' in c) {
    const cluster = client as NodeRedisClusterLike
    return ({ args, key, readOnly, signal }) => cluster.sendCommand(key, readOnly, [...args], { abortSignal: signal })
  }
  if (typeof c.sendCommand === 'function') {
    const node = client as NodeRedisClientLike
    return ({ args, signal }) => node.sendCommand([...args], { abortSignal: signal })
  }
  return null
}
