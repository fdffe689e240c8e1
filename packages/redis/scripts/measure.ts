/**
 * Measures @sess/redis on a private redis-server (so other traffic does not count): Redis commands per request
 * (INFO commandstats deltas) and engine operations per second, for node-redis and ioredis.
 * Run: npx tsx --conditions @sess/source scripts/measure.ts
 */
import { createSessions } from '@sess/core'
import { generateSessionKey } from '@sess/core/engine'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { redisEngine } from '../src/engine.js'
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

  // Engine ops/s, 50 concurrent callers for 2 s each
  const later = new Date(Date.now() + 3_600_000)
  const keys = Array.from({ length: 1000 }, () => generateSessionKey())
  for (const key of keys) await engine.create(key, { payload: '{"d":{"n":1},"c":1}', expiresAt: later, version: 1 })
  const versions = new Map(keys.map((k) => [k, 1]))
  const ops: Record<string, (i: number) => Promise<unknown>> = {
    read: (i) => engine.read(keys[i % keys.length]!, new Date()),
    update: async (i) => {
      const key = keys[i % keys.length]!
      const v = versions.get(key)!
      versions.set(key, v + 1)
      await engine.update(key, { payload: `{"d":{"n":${i}},"c":1}`, expiresAt: later, version: v + 1 }, v)
    },
    create: (i) => engine.create(generateSessionKey(), { payload: `{"d":{"n":${i}},"c":1}`, expiresAt: later, version: 1 }),
  }
  for (const [op, fn] of Object.entries(ops)) {
    let count = 0
    const deadline = performance.now() + 2000
    await Promise.all(
      Array.from({ length: 50 }, async (_, w) => {
        while (performance.now() < deadline) await fn(w * 1_000_000 + count++)
      }),
    )
    console.log(`${label}: ${op} ${Math.round(count / 2)} ops/s (50 concurrent)`)
  }
}
node.destroy()
io.disconnect()
admin.disconnect()
await server.kill()
