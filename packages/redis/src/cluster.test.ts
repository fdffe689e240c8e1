import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { createSessions } from '@sess/core'
import { churnUserIndex, describeEngine, describeStore, newKey, record } from '@sess/engine-tests'
import { sessionHandle } from '@sess/core/engine'
import calculateSlot from 'cluster-key-slot'
import { Cluster } from 'ioredis'
import { createCluster } from 'redis'
import { afterAll, describe, expect, it } from 'vitest'
import type { RedisClientLike } from './client.js'
import { redisEngine } from './redis-engine.js'
import { clusterMasters, migrateSlot, nodeAdmin, startCluster } from './test-cluster.js'

// A real 3-master, 3-replica Redis Cluster for this file: six redis-server processes, stopped by PID afterwards.
const cluster = await startCluster()
afterAll(() => cluster.stop())

const node = createCluster({ rootNodes: cluster.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })) })
node.on('error', () => undefined)
await node.connect()
const io = new Cluster([...cluster.nodes], { lazyConnect: true })
io.on('error', () => undefined)
await io.connect()
afterAll(async () => {
  node.destroy()
  io.disconnect()
})

const clients: Array<[string, RedisClientLike, RedisClientLike]> = [
  ['node-redis createCluster', node, io],
  ['ioredis Cluster', io, node],
]

for (const [label, client, other] of clients) {
  describeEngine(`redis cluster (${label})`, {
    create: () => redisEngine({ client }),
    reopen: () => redisEngine({ client: other }),
  })
  describeStore(`redis cluster (${label})`, { create: () => redisEngine({ client }) })
}

describe('redis cluster: the user index and stats across masters', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex')
  /** The port of the master serving `key`'s slot. */
  const masterOf = async (key: string): Promise<number> => {
    const admin = await nodeAdmin(cluster.ports[0]!)
    try {
      const slot = calculateSlot(key)
      return (await clusterMasters(admin)).find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!.port
    } finally {
      admin.disconnect()
    }
  }

  for (const [label, client] of clients) {
    it(`indexes a user whose sessions live on every master in one slot, lists and destroys them all (${label})`, async () => {
      const prefix = `sess-cluster-index-${randomBytes(4).toString('hex')}:`
      const e = redisEngine({ client, prefix })
      const ada = `ada-${randomBytes(4).toString('hex')}`
      const later = new Date(Date.UTC(2030, 0, 2))
      const now = new Date(Date.UTC(2030, 0, 1))
      const keys = Array.from({ length: 24 }, () => newKey())
      await Promise.all(keys.map((key) => e.create(key, { ...record('{}', later), userId: ada, handle: sessionHandle(key) })))
      const masters = new Set(await Promise.all(keys.map((key) => masterOf(prefix + sha(key)))))
      expect(masters.size).toBe(3)
      expect((await e.listUser!(ada, now)).map((r) => r.handle).sort()).toEqual(keys.map(sessionHandle).sort())
      expect(await e.stats!(now)).toMatchObject({ sessions: 24, signedIn: 24, latestExpiry: later })
      expect(await e.destroyUser!(ada, { exceptHandle: sessionHandle(keys[0]!) })).toBe(23)
      for (const key of keys.slice(1)) expect(await e.read(key, now)).toBeNull()
      expect((await e.listUser!(ada, now)).map((r) => r.handle)).toEqual([sessionHandle(keys[0]!)])
      await e.destroy(keys[0]!)
      expect(await e.listUser!(ada, now)).toEqual([])
      expect(await e.stats!(now)).toEqual({ sessions: 0, earliestExpiry: null, latestExpiry: null, bytes: 0, signedIn: 0 })
    })
  }
})

describe('redis cluster: bounded growth', () => {
  for (const [label, client] of clients) {
    it(`churnUserIndex (60 cycles) leaves no member and no set of the churned users (${label})`, async () => {
      const prefix = `sess-cluster-churn-${randomBytes(4).toString('hex')}:`
      const { userIds } = await churnUserIndex(redisEngine({ client, prefix }), { cycles: 60, now: new Date() })
      const sha = (text: string) => createHash('sha256').update(text).digest('hex')
      const left = await Promise.all(userIds.map((id) => io.zcard(`${prefix}u:{${sha(id)}}`)))
      expect(left.reduce((a, b) => a + b, 0)).toBe(0)
    })
  }
})

/** A hash tag whose keys land in `slot`, so the slot can be filled with keys to migrate. */
function tagForSlot(slot: number): string {
  for (let i = 0; i < 1_000_000; i++) if (calculateSlot(`t${i}`) === slot) return `t${i}`
  throw new Error(`no tag found for slot ${slot}`)
}

describe('redis cluster: resharding under load', () => {
  for (const [label, client] of clients) {
    it(`moving a session's slot to another master while 8 writers save it loses nothing acknowledged (${label})`, async () => {
      const sessions = createSessions<Record<string, unknown>>({ engine: redisEngine({ client }) })
      const first = sessions.load(null)
      await first.set('start', true)
      const { setCookie } = await sessions.commit(first)
      const cookie = setCookie[0]!.split(';')[0]!
      const redisKey = `sess:${createHash('sha256').update(first.key!).digest('hex')}`
      const slot = calculateSlot(redisKey)

      const admin = await nodeAdmin(cluster.ports[0]!)
      try {
        expect(Number(await admin.call('CLUSTER', 'KEYSLOT', redisKey))).toBe(slot)
        const masters = await clusterMasters(admin)
        const from = masters.find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!
        const to = masters.find((m) => m.id !== from.id)!
        // Fill the slot so the migration takes many MIGRATE batches, with traffic in between.
        const tag = tagForSlot(slot)
        const filler = await nodeAdmin(from.port)
        try {
          const pipeline = filler.pipeline()
          for (let i = 0; i < 600; i++) pipeline.set(`{${tag}}filler:${i}`, 'x', 'PX', 600_000)
          await pipeline.exec()
        } finally {
          filler.disconnect()
        }

        const acknowledged: string[] = []
        const errors: unknown[] = []
        let migrating = true
        let after = 0
        const writer = async (w: number) => {
          for (let i = 0; i < 100_000 && (migrating || after < 40); i++) {
            const session = sessions.load(cookie)
            const field = `w${w}-${i}`
            try {
              await session.set(field, i)
              await sessions.commit(session)
              acknowledged.push(field)
            } catch (error) {
              errors.push(error)
            }
            if (!migrating) after++
          }
        }
        const writers = Array.from({ length: 8 }, (_, w) => writer(w))
        const moved = await migrateSlot(slot, from, to, masters, () => sleep(2))
        migrating = false
        await Promise.all(writers)

        expect(moved).toBeGreaterThanOrEqual(601)
        expect(errors.map(String)).toEqual([])
        const owner = (await clusterMasters(admin)).find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b))!
        expect(owner.id).toBe(to.id)
        const reread = sessions.load(cookie)
        const data = Object.fromEntries(await reread.entries())
        const missing = acknowledged.filter((field) => !(field in data))
        expect(missing).toEqual([])
        expect(acknowledged.length).toBeGreaterThan(100)
        expect(data.start).toBe(true)
        await sessions.dispose()
      } finally {
        admin.disconnect()
      }
    }, 120_000)
  }
})
