/** One command as the engine sends it: the arguments, the single key it touches, and a signal that fires on timeout. */
export interface RedisCommand {
  /** The command and its arguments, e.g. `['GET', 'sess:…']`. Every argument is a string. */
  readonly args: readonly string[]
  /** The one key the command touches (for routing on Redis Cluster). */
  readonly key: string
  /** The command only reads. */
  readonly readOnly: boolean
  /**
   * Aborted when the engine gives up on the command (its `commandTimeoutMs`). Once the command has its reply the
   * signal goes to a later command: a client must not keep it, or a listener on it, past the reply.
   */
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
 * What the engine knows about a client: how to send one command, whether commands it sends one after another are
 * applied by the server in that order, and how to reach every master (for `SCAN`).
 */
export interface RedisConnection {
  /** Sends one command. */
  readonly send: RedisSend
  /**
   * `true` for a client on one connection (a node-redis client, an ioredis `Redis`): Redis applies commands in the
   * order they were sent, so two of them can be sent at once and still land in order. `false` for clusters, pools
   * and functions: a command that must land after another is sent only once the first one replied.
   */
  readonly ordered: boolean
  /**
   * One sender per master, for commands that name no key (`SCAN`): a node-redis or ioredis cluster's masters.
   * `null` when the client is one server (or a function that routes by itself): such commands go through `send`.
   */
  readonly masters: (() => Promise<RedisSend[]>) | null
}

/**
 * Turns a client into a {@link RedisSend}, or returns `null` when `client` is none of the known shapes.
 * ioredis is recognised by `call`, a node-redis cluster by `masters` + `sendCommand`, a node-redis client by `sendCommand`.
 */
export function toSend(client: unknown): RedisSend | null {
  return toConnection(client)?.send ?? null
}

/** Like {@link toSend}, with what the engine needs to know about the client's connections (see {@link RedisConnection}). */
export function toConnection(client: unknown): RedisConnection | null {
  if (typeof client === 'function') return { send: client as RedisSend, ordered: false, masters: null }
  if (typeof client !== 'object' || client === null) return null
  const c = client as Record<string, unknown>
  if (typeof c.call === 'function') {
    const io = client as IoRedisLike
    const send: RedisSend = ({ args }) => io.call(args[0]!, ...args.slice(1))
    if (c.isCluster !== true) return { send, ordered: c.isCluster === false, masters: null }
    const nodes = c.nodes as ((role: string) => IoRedisLike[]) | undefined
    const masters =
      typeof nodes === 'function'
        ? async () =>
            nodes.call(client, 'master').map(
              (node): RedisSend =>
                ({ args }) =>
                  node.call(args[0]!, ...args.slice(1)),
            )
        : null
    return { send, ordered: false, masters }
  }
  if (typeof c.sendCommand === 'function' && 'masters' in c) {
    const cluster = client as NodeRedisClusterLike
    const send: RedisSend = ({ args, key, readOnly, signal }) => cluster.sendCommand(key, readOnly, [...args], { abortSignal: signal })
    return { send, ordered: false, masters: nodeRedisMasters(cluster) }
  }
  if (typeof c.sendCommand === 'function') {
    const node = client as NodeRedisClientLike
    const send: RedisSend = ({ args, signal }) => node.sendCommand([...args], { abortSignal: signal })
    // A pool (`totalClients`) spreads commands over several connections; a plain client has one.
    return { send, ordered: typeof c.duplicate === 'function' && !('totalClients' in c), masters: null }
  }
  return null
}

/** The masters of a node-redis cluster (v5 `masters` + `nodeClient`; v4 masters carry their `client`). */
function nodeRedisMasters(cluster: NodeRedisClusterLike): () => Promise<RedisSend[]> {
  const nodeClient = (cluster as { nodeClient?: (node: unknown) => Promise<NodeRedisClientLike> }).nodeClient
  return async () => {
    const masters = (cluster.masters as Array<{ client?: NodeRedisClientLike | Promise<NodeRedisClientLike> }>) ?? []
    const clients = await Promise.all(
      masters.map((master) => (typeof nodeClient === 'function' ? nodeClient.call(cluster, master) : master.client)),
    )
    return clients
      .filter((client): client is NodeRedisClientLike => typeof client?.sendCommand === 'function')
      .map(
        (client): RedisSend =>
          ({ args, signal }) =>
            client.sendCommand([...args], { abortSignal: signal }),
      )
  }
}
