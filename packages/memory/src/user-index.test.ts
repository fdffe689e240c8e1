import { sessionHandle, type SessionRecord } from '@sess/core/engine'
import { churnUserIndex, ManualClock, newKey, newUserId, userRecord } from '@sess/engine-tests'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_SWEEP_INTERVAL, memoryEngine, recordSize } from './index.js'
import { mulberry32 } from './test-random.js'

afterEach(() => {
  vi.useRealTimers()
})

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

describe('memory: the user index never outlives its records', () => {
  it('returns to zero entries and zero users after 500 rounds of create/move/sign-out/cycle/expire/destroy', async () => {
    const e = memoryEngine({ sweepInterval: false, max: 100_000 })
    const { created, userIds } = await churnUserIndex(e, { cycles: 500, now })
    expect(created).toBe(3500)
    expect(userIds).toHaveLength(1500)
    expect(e.indexSize).toEqual({ users: 0, entries: 0 })
    expect(e.size).toBe(0) // churnUserIndex purged the expired ones
    await e.dispose()
  })

  it('an evicted session (max) leaves the index with the cache', async () => {
    const e = memoryEngine({ max: 3, sweepInterval: false })
    const ada = newUserId()
    const keys = Array.from({ length: 5 }, () => newKey())
    for (const key of keys) await e.create(key, userRecord(key, ada, '{}', later))
    expect(e.indexSize).toEqual({ users: 1, entries: 3 })
    expect((await e.listUser(ada, now)).map((r) => r.handle).sort()).toEqual(keys.slice(2).map(sessionHandle).sort())
    expect(await e.destroyUser(ada)).toBe(3)
    expect(e.indexSize).toEqual({ users: 0, entries: 0 })
    await e.dispose()
  })

  it('an evicted session (maxSize) leaves the index, and a signed-in record counts its user id, handle and entry', async () => {
    const ada = newUserId()
    const payload = JSON.stringify({ d: { blob: 'x'.repeat(1000) }, c: 1 })
    expect(recordSize(payload, ada) - recordSize(payload)).toBe(ada.length * 2 + 32 + 64)
    const e = memoryEngine({ maxSize: recordSize(payload, ada) * 2, sweepInterval: false })
    const [a, b, c] = [newKey(), newKey(), newKey()]
    for (const key of [a, b, c]) await e.create(key!, userRecord(key!, ada, payload, later))
    expect(e.size).toBe(2)
    expect(e.indexSize.entries).toBe(2)
    expect((await e.listUser(ada, now)).map((r) => r.handle).sort()).toEqual([b, c].map((k) => sessionHandle(k!)).sort())
    await e.dispose()
  })

  it('the sweep takes the expired records of users who never sign out out of the index', async () => {
    vi.useFakeTimers()
    const clock = new ManualClock()
    const e = memoryEngine({ now: clock.now })
    const expiring = new Date(clock.now().getTime() + 60_000)
    for (let i = 0; i < 1000; i++) {
      const key = newKey()
      await e.create(key, userRecord(key, `user-${i % 100}`, '{}', expiring))
    }
    expect(e.indexSize).toEqual({ users: 100, entries: 1000 })
    clock.advance(61)
    vi.advanceTimersByTime(DEFAULT_SWEEP_INTERVAL)
    expect(e.indexSize).toEqual({ users: 0, entries: 0 })
    await e.dispose()
  })

  it('a read or a listing of an expired record removes it and its index entry', async () => {
    const e = memoryEngine({ sweepInterval: false })
    const ada = newUserId()
    const [read, listed] = [newKey(), newKey()]
    for (const key of [read, listed]) await e.create(key!, userRecord(key!, ada, '{}', now))
    expect(await e.read(read!, now)).toBeNull()
    expect(e.indexSize.entries).toBe(1)
    expect(await e.listUser(ada, now)).toEqual([])
    expect(e.indexSize).toEqual({ users: 0, entries: 0 })
    expect(e.size).toBe(0)
    await e.dispose()
  })

  it('an in-place update (same payload size) that changes the user moves the entry', async () => {
    const e = memoryEngine({ sweepInterval: false })
    const [ada, bob] = [newUserId('ada'), newUserId('bob')]
    const key = newKey()
    await e.create(key, userRecord(key, ada, '{"d":{"v":1},"c":1}', later))
    await e.update(key, userRecord(key, bob, '{"d":{"v":2},"c":1}', later, 2), 1)
    expect(await e.listUser(ada, now)).toEqual([])
    expect((await e.listUser(bob, now)).map((r) => r.version)).toEqual([2])
    await e.update(key, userRecord(key, null, '{"d":{"v":3},"c":1}', later, 3), 2)
    expect(e.indexSize).toEqual({ users: 0, entries: 0 })
    await e.dispose()
  })

  it('dispose empties the index', async () => {
    const e = memoryEngine()
    const key = newKey()
    await e.create(key, userRecord(key, newUserId(), '{}', later))
    await e.dispose()
    expect(e.indexSize).toEqual({ users: 0, entries: 0 })
  })

  it('stays equal to a model under 150 random sequences of operations, evictions included (seeded)', async () => {
    const users = ['a', 'b', 'c']
    for (let run = 0; run < 150; run++) {
      const random = mulberry32(run)
      const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
      const e = memoryEngine({ max: 8, sweepInterval: false })
      const keys: string[] = []
      const length = Math.floor(random() * 60)
      for (let step = 0; step < length; step++) {
        const op = pick(['create', 'create', 'update', 'destroy', 'expire', 'destroyUser', 'purge'] as const)
        const key = keys.length > 0 ? pick(keys) : undefined
        const user = pick([...users, null])
        if (op === 'create' || key === undefined) {
          const k = newKey()
          keys.push(k)
          await e.create(k, userRecord(k, user, '{}', later))
        } else if (op === 'update') {
          const current = await e.read(key, now)
          const payload = random() < 0.5 ? '{"d":{"grown":1},"c":1}' : '{}'
          if (current) await e.update(key, userRecord(key, user, payload, later, current.version + 1))
        } else if (op === 'destroy') await e.destroy(key)
        else if (op === 'expire') {
          const current = await e.read(key, now)
          if (current) await e.update(key, { ...current, expiresAt: now, version: current.version + 1 })
        } else if (op === 'destroyUser') {
          const mode = pick(['all', 'handle', 'except'] as const)
          const handle = sessionHandle(key)
          await e.destroyUser(pick(users), mode === 'all' ? {} : mode === 'handle' ? { handle } : { exceptHandle: handle })
        } else await e.purgeExpired(now)
      }
      // The model: whatever the cache still holds (expired-but-held included), read back without the index.
      const before = new Date(now.getTime() - 1)
      const held: SessionRecord[] = []
      for (const key of keys) {
        const r = await e.read(key, before)
        if (r) held.push({ ...r, handle: sessionHandle(key) })
      }
      const signedIn = held.filter((r) => r.userId !== undefined)
      expect(e.indexSize.entries, `run ${run}`).toBe(signedIn.length)
      expect(e.indexSize.users, `run ${run}`).toBe(new Set(signedIn.map((r) => r.userId)).size)
      for (const user of users) {
        const listed = (await e.listUser(user, before)).map((r) => r.handle).sort()
        expect(listed, `run ${run}`).toEqual(
          signedIn
            .filter((r) => r.userId === user)
            .map((r) => r.handle)
            .sort(),
        )
      }
      await e.dispose()
    }
  })
})
