/**
 * The memory engine's user index: user id → the digests of that user's records. Kept in step by the engine on
 * every create, update, destroy, eviction and expiry (through lru-cache's `dispose`), so an entry never outlives its
 * record; a user whose last record goes is dropped, so the map holds only users with records.
 */
export interface UserIndex {
  /** Files `id` under `userId`. */
  add(userId: string, id: string): void
  /** Removes `id` from `userId`'s set (and the user when it was the last). */
  remove(userId: string, id: string): void
  /** A snapshot of `userId`'s digests (safe to iterate while the index changes). */
  ids(userId: string): string[]
  /** How many users and entries the index holds (for tests and operators). */
  readonly size: { readonly users: number; readonly entries: number }
  /** Forgets everything. */
  clear(): void
}

/** Creates an empty {@link UserIndex}. */
export function createUserIndex(): UserIndex {
  const users = new Map<string, Set<string>>()
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
