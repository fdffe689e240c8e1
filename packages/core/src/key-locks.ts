import type { SessionRecord } from './engine.js'
import { ownKey } from './keys.js'

/**
 * Per-key queues for one `createSessions()`: the saves of one session inside one process run one after
 * another, and each knows the version the previous one wrote. A save that holds an older version rebases on the
 * record the previous save wrote (kept while saves of the key are queued) instead of colliding or reading it back,
 * so parallel requests of one session never conflict inside a process; the versioned compare-and-set still
 * guards against other processes.
 */
export interface KeyLocks {
  /** Runs `task` once every earlier task for `key` has settled; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>
  /**
   * Group commit: adds `item` to the group of `key` that waits for its turn in the queue, or starts one. When the
   * group's turn comes, `task` runs once for all its items (in the order they joined) and returns one outcome per
   * item; each caller gets its own. With nothing queued for `key`, `task` runs at once for `item` alone.
   */
  join<T, R>(key: string, item: T, task: (items: readonly T[]) => Promise<R[]>): Promise<R>
  /** The newest version this process saved under `key`, when it still remembers it. */
  latest(key: string): number | undefined
  /**
   * The record of the newest version this process saved under `key`, while saves of `key` are queued (the next one
   * rebases on it without a read); `undefined` otherwise.
   */
  latestRecord(key: string): SessionRecord | undefined
  /** Records that this process saved `record` under `key`. */
  saved(key: string, record: SessionRecord): void
  /** Forgets `key` (it was destroyed or moved). */
  forget(key: string): void
}

/** The items waiting for one turn of a key's queue; `outcomes` is set as soon as the group is queued. */
interface Group {
  readonly items: unknown[]
  outcomes: Promise<unknown[]> | null
}

const firstOutcome = (outcomes: readonly unknown[]): unknown => outcomes[0]

/** How many keys' latest versions are remembered; the oldest is forgotten first (it then only costs a conflict). */
const REMEMBERED = 10_000

/**
 * Creates the queues. Memory is bounded: queues and their records disappear when idle, versions are capped at
 * {@link REMEMBERED}.
 */
export function createKeyLocks(): KeyLocks {
  const tails = new Map<string, Promise<unknown>>()
  const versions = new Map<string, number>()
  const records = new Map<string, SessionRecord>()
  const groups = new Map<string, Group>()
  const run = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key)
    const result = previous === undefined ? task() : previous.then(task, task)
    // Settles after `result`, whatever it does, and then clears the key's entries unless a later task queued.
    const idle = (): void => {
      if (tails.get(key) !== tail) return
      tails.delete(key)
      records.delete(key)
    }
    const tail: Promise<void> = result.then(idle, idle)
    tails.set(key, tail)
    return result
  }
  return {
    run,
    join<T, R>(key: string, item: T, task: (items: readonly T[]) => Promise<R[]>): Promise<R> {
      const open = groups.get(key)
      if (open !== undefined) {
        const i = open.items.push(item) - 1
        return (open.outcomes as Promise<R[]>).then((outcomes) => outcomes[i]!)
      }
      // Nothing queued for the key: the task runs now, alone; a save arriving meanwhile queues behind it.
      if (!tails.has(key)) return run(key, () => task([item])).then(firstOutcome) as Promise<R>
      const group: Group = { items: [item], outcomes: null }
      groups.set(key, group)
      const outcomes = run(key, () => {
        // The group's turn: it takes no more items; later ones form the next group.
        if (groups.get(key) === group) groups.delete(key)
        return task(group.items as T[])
      })
      group.outcomes = outcomes
      return outcomes.then(firstOutcome) as Promise<R>
    },
    latest: (key) => versions.get(key),
    latestRecord: (key) => records.get(key),
    saved(key, record) {
      const own = ownKey(key) // not a view into the request's Cookie header
      versions.delete(key)
      versions.set(own, record.version)
      if (versions.size > REMEMBERED) versions.delete(versions.keys().next().value as string)
      if (tails.has(key)) records.set(own, record)
      else records.delete(key)
    },
    forget(key) {
      versions.delete(key)
      records.delete(key)
    },
  }
}
