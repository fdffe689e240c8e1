/**
 * Micro-benchmark: @sess/redis on a private redis-server (so other traffic does not count), for node-redis and
 * ioredis: Redis commands per request (INFO commandstats deltas) and engine operations per second
 * (@sess/engine-tests/bench, 50 concurrent callers). Prints; asserts nothing.
 *
 *   cd packages/redis && npx tsx --conditions=@sess/source bench/engine-ops.ts
 */
import { createSessions } from '@sess/core'
import { measureEngineOps } from '@sess/engine-tests/bench'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { redisEngine } from '../src/index.js'
import { ownRedis } from '../src/test-server.js'

const server = await ownRedis()
await server.start()
const admin = new Redis(server.url)

async function commandstats(): Promise<Map<string, number>> {
  const info = await admin.info('commandstats')
  const stats = new Map<string, number>()
  for (const line of info.split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line)
    if (m) stats.set(m[1]!, Number(m[2]))
  }
  return stats
}
async function delta<T>(run: () => Promise<T>): Promise<Record<string, number>> {
  const before = await commandstats()
  await run()
  const after = await commandstats()
  const out: Record<string, number> = {}
  for (const [k, v] of after) if (k !== 'info' && v - (before.get(k) ?? 0) > 0) out[k] = v - (before.get(k) ?? 0)
  return out
}

const node = createClient({ url: server.url })
node.on('error', () => undefined)
await node.connect()
const io = new Redis(server.url)

try {
  for (const [label, client] of [
    ['node-redis', node],
    ['ioredis', io],
  ] as const) {
    const engine = redisEngine({ client })
    const sessions = createSessions<{ n?: number }>({ engine })
    const N = 1000
    // Commands per request
    const cookies: string[] = []
    const created = await delta(async () => {
      for (let i = 0; i < N; i++) {
        const s = sessions.load(null)
        await s.set('n', 1)
        cookies.push((await sessions.commit(s)).setCookie[0]!.split(';')[0]!)
      }
    })
    const reads = await delta(async () => {
      for (const cookie of cookies) {
        const s = sessions.load(cookie)
        await s.get('n')
        await sessions.commit(s)
      }
    })
    const writes = await delta(async () => {
      for (const cookie of cookies) {
        const s = sessions.load(cookie)
        await s.set('n', ((await s.get('n')) ?? 0) + 1)
        await sessions.commit(s)
      }
    })
    const per = (d: Record<string, number>) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v / N]))
    console.log(`${label}: commands per request`, { newSession: per(created), readOnly: per(reads), write: per(writes) })

    await measureEngineOps(engine, { label })
  }
} finally {
  node.destroy()
  io.disconnect()
  admin.disconnect()
  await server.kill()
}
