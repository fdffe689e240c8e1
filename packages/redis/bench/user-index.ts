/**
 * Micro-benchmark: what the user index costs @sess/redis, on a private redis-server (so other traffic does not
 * count). First the commands and round trips of each engine operation for anonymous and signed-in records; then the
 * time of one operation with one caller (so round trips show) on node-redis and ioredis (one connection: the index
 * command shares the session write's round trip), on a function client (which waits for the index reply, as cluster
 * clients do) and on a real 3-master Redis Cluster. Prints; asserts nothing.
 *
 *   cd packages/redis && npx tsx --conditions=@sess/source bench/user-index.ts
 */
import { createSessions } from '@sess/core'
import { generateSessionKey, sessionHandle, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { Cluster, Redis } from 'ioredis'
import { createClient, createCluster } from 'redis'
import { type RedisCommand, redisEngine } from '../src/index.js'
import { startCluster } from '../src/test-cluster.js'
import { ownRedis } from '../src/test-server.js'

const N = 1000
const later = () => new Date(Date.now() + 3_600_000)
const anonymous = (version = 1): SessionRecord => ({ payload: '{"d":{"n":1},"c":1}', expiresAt: later(), version })
const signedIn = (key: string, userId: string, version = 1): SessionRecord => ({
  ...anonymous(version),
  userId,
  handle: sessionHandle(key),
})

type Op = 'create' | 'read' | 'update' | 'touch' | 'destroy'
/** Runs each operation over `n` fresh sessions, one at a time; returns the mean µs of each. */
async function perOperation(
  engine: SessionEngine,
  user: string | null,
  n: number,
  after?: (op: Op) => Promise<void>,
): Promise<Record<Op, number>> {
  const keys = Array.from({ length: n }, () => generateSessionKey())
  const make = (key: string, version = 1) => (user === null ? anonymous(version) : signedIn(key, `${user}-${key.slice(0, 4)}`, version))
  const steps: Record<Op, (key: string) => Promise<unknown>> = {
    create: (key) => engine.create(key, make(key)),
    read: (key) => engine.read(key, new Date()),
    update: (key) => engine.update(key, make(key, 2), 1),
    touch: (key) => engine.touch!(key, later()),
    destroy: (key) => engine.destroy(key),
  }
  const out = {} as Record<Op, number>
  for (const op of Object.keys(steps) as Op[]) {
    const started = performance.now()
    for (const key of keys) await steps[op](key)
    out[op] = Math.round(((performance.now() - started) * 1000) / n)
    await after?.(op)
  }
  return out
}

/** node-redis behind a counter of commands and round trips; `ordered` gives it a one-connection client's shape. */
class Counter {
  commands = 0
  trips = 0
  names = new Set<string>()
  #pending = 0
  readonly client: Parameters<typeof redisEngine>[0]['client']

  constructor(ordered: boolean) {
    const send = (args: readonly string[]) => {
      this.commands++
      this.names.add(args[0]!)
      if (this.#pending++ === 0) this.trips++ // a command sent while another is in flight shares its round trip
      return node.sendCommand([...args]).finally(() => this.#pending--)
    }
    this.client = ordered ? { sendCommand: send, duplicate: () => node } : (command: RedisCommand) => send(command.args)
  }

  reset(): void {
    this.commands = 0
    this.trips = 0
    this.names = new Set()
  }
}

const server = await ownRedis()
await server.start()

const node = createClient({ url: server.url })
node.on('error', () => undefined)
await node.connect()
const io = new Redis(server.url)
const cluster = await startCluster()
const nodeCluster = createCluster({ rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })) })
nodeCluster.on('error', () => undefined)
await nodeCluster.connect()
const ioCluster = new Cluster([...cluster.nodes])
ioCluster.on('error', () => undefined)

try {
  // Commands and round trips per operation, counted by a client wrapper (one caller, so a command sent while
  // another is in flight shares its round trip).
  for (const [label, ordered] of [
    ['one connection (node-redis, ioredis)', true],
    ['cluster or function client', false],
  ] as const) {
    const counted = new Counter(ordered)
    const engine = redisEngine({ client: counted.client, prefix: 'bench-cmds:' })
    await perOperation(engine, 'warm', 5) // loads the scripts
    for (const user of [null, 'user'] as const) {
      const counts: string[] = []
      counted.reset()
      await perOperation(engine, user, N, async (op) => {
        counts.push(`${op} ${counted.commands / N} commands in ${counted.trips / N} round trips (${[...counted.names].join(', ')})`)
        counted.reset()
      })
      console.log(`${label}, ${user === null ? 'anonymous' : 'signed in'}: ${counts.join('; ')}`)
    }
  }

  // Through createSessions: what a login (setUser), a signed-in request and a logout cost.
  for (const [label, ordered] of [
    ['one connection', true],
    ['cluster or function client', false],
  ] as const) {
    const counted = new Counter(ordered)
    const sessions = createSessions<{ n?: number }>({ engine: redisEngine({ client: counted.client, prefix: 'bench-core:' }) })
    const cookieOf = (headers: { setCookie: string[] }, fallback: string) => headers.setCookie[0]?.split(';')[0] ?? fallback
    const request = async (cookie: string | null, work: (s: ReturnType<typeof sessions.load>) => Promise<unknown>) => {
      const s = sessions.load(cookie)
      await work(s)
      return cookieOf(await sessions.commit(s), cookie ?? '')
    }
    const steps: Array<[string, (cookie: string, i: number) => Promise<string>]> = [
      ['login (setUser on an anonymous session)', (cookie, i) => request(cookie, (s) => s.setUser(`user-${i}`, { device: 'bench' }))],
      ['signed-in read', (cookie) => request(cookie, (s) => s.get('n'))],
      ['signed-in write', (cookie, i) => request(cookie, (s) => s.set('n', i))],
      ['logout (flush)', (cookie) => request(cookie, (s) => s.flush())],
    ]
    let cookies: string[] = []
    for (let i = 0; i < N; i++) cookies.push(await request(null, (s) => s.set('n', 0)))
    const line: string[] = []
    for (const [name, step] of steps) {
      counted.reset()
      const next: string[] = []
      for (const [i, cookie] of cookies.entries()) next.push(await step(cookie, i))
      cookies = next
      line.push(`${name} ${counted.commands / N} commands in ${counted.trips / N} round trips (${[...counted.names].join(', ')})`)
    }
    console.log(`through createSessions, ${label}: ${line.join('; ')}`)
    await sessions.dispose()
  }

  const clients: Array<[string, Parameters<typeof redisEngine>[0]['client']]> = [
    ['node-redis', node],
    ['ioredis', io],
    ['function client (sequential)', (c: RedisCommand) => node.sendCommand([...c.args], { abortSignal: c.signal })],
    ['node-redis cluster', nodeCluster],
    ['ioredis cluster', ioCluster],
  ]
  for (const [label, client] of clients) {
    const e = redisEngine({ client, prefix: 'bench-latency:' })
    await perOperation(e, 'warm', N)
    // Three alternating rounds of each kind; the median of each operation.
    const rounds: Record<'plain' | 'user', Array<Record<Op, number>>> = { plain: [], user: [] }
    for (let round = 0; round < 3; round++) {
      rounds.plain.push(await perOperation(e, null, N))
      rounds.user.push(await perOperation(e, 'user', N))
    }
    const median = (kind: 'plain' | 'user', op: Op) => rounds[kind].map((r) => r[op]).sort((a, b) => a - b)[1]
    const line = (['create', 'read', 'update', 'touch', 'destroy'] as Op[])
      .map((op) => `${op} ${median('plain', op)} → ${median('user', op)}`)
      .join(', ')
    console.log(`${label}: µs per operation, one caller, anonymous → signed in (median of 3 × ${N}): ${line}`)
  }
} finally {
  node.destroy()
  io.disconnect()
  nodeCluster.destroy()
  ioCluster.disconnect()
  await server.kill()
  await cluster.stop()
}
