import { ownKey } from './keys.js'

/**
 * Per-key queues for one `createSessions()`: the saves of one session inside one process run one after
 * another, and each knows the version the previous one wrote. A save that holds an older version re-reads
 * before writing instead of colliding, so parallel requests of one session never conflict inside a process;
 * the versioned compare-and-set still guards against other processes.
 */
export interface KeyLocks {
  /** Runs `task` once every earlier task for `key` has settled; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>
  /** The newest version this process saved under `key`, when it still remembers it. */
  latest(key: string): number | undefined
  /** Records that this process saved `key` at `version`. */
  saved(key: string, version: number): void
  /** Forgets `key` (it was destroyed or moved). */
  forget(key: string): void
}

/** How many keys' latest versions are remembered; the oldest is forgotten first (it then only costs a conflict). */
const REMEMBERED = 10_000

/** Creates the queues. Memory is bounded: queues disappear when idle, versions are capped at {@link REMEMBERED}. */
export function createKeyLocks(): KeyLocks {
  const tails = new Map<string, Promise<unknown>>()
  const versions = new Map<string, number>()
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key)
      const result = previous === undefined ? task() : previous.then(task, task)
      const tail = result.then(settled, settled)
      tails.set(key, tail)
      tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key)
      })
      return result
    },
    latest: (key) => versions.get(key),
    saved(key, version) {
      versions.delete(key)
      versions.set(ownKey(key), version) // not a view into the request's Cookie header
      if (versions.size > REMEMBERED) versions.delete(versions.keys().next().value as string)
    },
    forget(key) {
      versions.delete(key)
    },
  }
}

function settled(): void {}
