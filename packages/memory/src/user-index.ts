/**
 * The memory engine's user index: user id → the slots of that user's records in the record table. Kept in step by
 * the engine on every create, update, destroy, eviction and expiry (all go through one removal), so an entry never
 * outlives its record and a slot reused by another record is never listed under the old user; a user whose last
 * record goes is dropped, so the map holds only users with records.
 */
export interface UserIndex {
  /** Files slot `id` under `userId`. */
  add(userId: string, id: number): void
  /** Removes slot `id` from `userId`'s set (and the user when it was the last). */
  remove(userId: string, id: number): void
  /** A snapshot of `userId`'s slots (safe to iterate while the index changes). */
  ids(userId: string): number[]
  /** How many users and entries the index holds (for tests and operators). */
  readonly size: { readonly users: number; readonly entries: number }
  /** Forgets everything. */
  clear(): void
}

/** Creates an empty {@link UserIndex}. */
export function createUserIndex(): UserIndex {
  const users = new Map<string, Set<number>>()
  let entries = 0
  return {
    add(userId, id) {
      let set = users.get(userId)
      if (set === undefined) users.set(userId, (set = new Set()))
      if (!set.has(id)) {
        set.add(id)
        entries++
      }
    },
    remove(userId, id) {
      const set = users.get(userId)
      if (set === undefined || !set.delete(id)) return
      entries--
      if (set.size === 0) users.delete(userId)
    },
    ids: (userId) => [...(users.get(userId) ?? [])],
    get size() {
      return { users: users.size, entries }
    },
    clear() {
      users.clear()
      entries = 0
    },
  }
}
