import { sessionHandle, type SessionEngine } from '@sess/core/engine'
import { expect } from 'vitest'
import { newKey, newUserId, userRecord } from './fixtures.js'

const EMPTY = '{"d":{},"c":1}'

/** Options of {@link churnUserIndex}. */
export interface UserIndexChurnOptions {
  /** How many rounds (each creates 7 records over 3 fresh users and ends them all). Default 100. */
  cycles?: number
  /**
   * The instant passed as `now` to every read, listing and purge. Live records expire a day after it; the record
   * that expires in each round is updated to expire exactly at it. Default 2030-01-01. Engines whose storage
   * expires records by the wall clock (Redis) pass `new Date()`, so that record is expired in storage too.
   */
  now?: Date
}

/** What {@link churnUserIndex} did. */
export interface UserIndexChurn {
  /** Every user id it used (fresh ids, `3 × cycles` of them): the engine's index should hold nothing for them. */
  readonly userIds: readonly string[]
  /** How many records it created (all of them ended: destroyed, moved off, signed out, or expired). */
  readonly created: number
}

/**
 * Drives an engine with the `userIndex` capability through every way a record leaves a user's listing, `cycles`
 * times, with fresh users each round: destroy, `destroyUser` (all, one handle, all but one), an update moving the
 * record to another user, an update making it anonymous (sign-out), the anonymous expired record core writes over
 * a cycled-away key, and a record that simply expires (its user never signs out, so only expiry can clear it). It asserts through `listUser` that each round leaves
 * nothing listed, then calls `purgeExpired(now)` once when the engine has it.
 *
 * An engine's own test then counts its index entries (rows of an index table, members of per-user sets, entries
 * of an index file…) and expects them back where they started — index entries must not outlive their records:
 *
 * ```ts
 * const before = await countIndexEntries()
 * await churnUserIndex(engine, { cycles: 200 })
 * expect(await countIndexEntries()).toBe(before)
 * ```
 *
 * Without `purgeExpired`, the expired record of each round may stay in storage until the storage drops it (Redis
 * does at once); its index entry must not outlive it — the round's `listUser` of that user may prune it, or it may
 * expire with the record.
 */
export async function churnUserIndex(engine: SessionEngine, options: UserIndexChurnOptions = {}): Promise<UserIndexChurn> {
  const { listUser, destroyUser } = engine
  if (engine.capabilities.userIndex !== true || !listUser || !destroyUser) {
    throw new Error(`churnUserIndex: the engine ${engine.name} does not declare capabilities.userIndex`)
  }
  const cycles = options.cycles ?? 100
  const now = options.now ?? new Date(Date.UTC(2030, 0, 1))
  const live = new Date(now.getTime() + 86_400_000)
  const list = (userId: string) => listUser.call(engine, userId, now)
  const userIds: string[] = []
  let created = 0
  const create = async (userId: string): Promise<string> => {
    const key = newKey()
    await engine.create(key, userRecord(key, userId, EMPTY, live))
    created++
    return key
  }
  for (let round = 0; round < cycles; round++) {
    const ada = newUserId('churn-a')
    const bob = newUserId('churn-b')
    const cleo = newUserId('churn-c') // never signs out: her one session just expires
    userIds.push(ada, bob, cleo)
    const destroyed = await create(ada)
    const moved = await create(ada)
    const signedOut = await create(ada)
    const cycled = await create(ada)
    const laptop = await create(bob)
    const expiring = await create(cleo)
    await engine.destroy(destroyed)
    await engine.update(moved, userRecord(moved, bob, EMPTY, live, 2), 1)
    await engine.update(signedOut, userRecord(signedOut, null, EMPTY, live, 2), 1)
    // cycleKey: the data moves to a fresh key, the old key gets an anonymous record expiring at once, then goes.
    const fresh = await create(ada)
    await engine.update(cycled, userRecord(cycled, null, EMPTY, now, 2), 1)
    await engine.destroy(cycled)
    await engine.update(expiring, userRecord(expiring, cleo, EMPTY, now, 2), 1)
    expect(await destroyUser.call(engine, bob, { handle: sessionHandle(laptop) })).toBe(1)
    expect(await destroyUser.call(engine, bob, { exceptHandle: sessionHandle(laptop) })).toBe(1) // `moved`
    expect(await destroyUser.call(engine, ada)).toBe(1) // `fresh`
    await engine.destroy(signedOut)
    expect(await engine.read(fresh, now)).toBeNull()
    expect(await engine.read(expiring, now)).toBeNull()
    for (const id of [ada, bob, cleo]) expect(await list(id)).toEqual([])
  }
  await engine.purgeExpired?.(now)
  return { userIds, created }
}
