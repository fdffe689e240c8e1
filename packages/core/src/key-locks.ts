import type { SessionRecord } from './engine.js'
import { KeyTable } from './key-table.js'

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
   * group's turn comes, `group` runs once for all its items (in the order they joined) and returns one outcome per
   * item; each caller gets `settle(item, its outcome)`. With nothing queued for `key`, `alone(item)` runs at once
   * and its promise is the caller's (no outcome array, no extra step).
   */
  join<T, O, R>(
    key: string,
    item: T,
    group: (items: readonly T[]) => Promise<O[]>,
    alone: (item: T) => Promise<R>,
    settle: (item: T, outcome: O) => R,
  ): Promise<R>
  /** The newest version this process saved under `key` while saves of `key` are queued; `undefined` otherwise. */
  latest(key: string): number | undefined
  /**
   * The record of the newest version this process saved under `key`, while saves of `key` are queued (the next one
   * rebases on it without a read); `undefined` otherwise.
   */
  latestRecord(key: string): SessionRecord | undefined
  /** Records that this process saved `record` under `key` (kept only while saves of `key` are queued). */
  saved(key: string, record: SessionRecord): void
  /** Forgets what was saved under `key` (it was destroyed or moved). */
  forget(key: string): void
}

/** The items waiting for one turn of a key's queue; `outcomes` is set as soon as the group is queued. */
interface Group {
  readonly items: unknown[]
  outcomes: Promise<unknown[]> | null
}

/**
 * What one key's queue knows while saves of it are queued: its last task, the group still taking items, and the
 * newest version (and record) this process saved under the key meanwhile.
 */
interface Queue {
  tail: Promise<unknown>
  group: Group | undefined
  version: number | undefined
  record: SessionRecord | undefined
}

/**
 * Creates the queues. Everything about a key lives in its queue's one entry, and the entry goes as soon as the key's
 * last queued save has settled: memory is bounded by the saves in flight, and no raw key stays in the heap after its
 * requests (a heap snapshot or a core dump does not yield the cookies of past visitors). A request that read a
 * version before an earlier save and saves after the queue emptied finds the store's newer version by a conflict,
 * and re-reads, which is what a save from another process costs anyway.
 */
export function createKeyLocks(): KeyLocks {
  const queues = new KeyTable<Queue>()
  const run = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    let queue = queues.get(key)
    let result: Promise<T>
    if (queue === undefined) {
      queue = { tail: IDLE, group: undefined, version: undefined, record: undefined }
      queues.set(key, queue)
      result = task()
    } else result = queue.tail.then(task, task)
    const own = queue
    // Settles after `result`, whatever it does, and then drops the key's entry unless a later task queued.
    const idle = (): void => {
      if (own.tail === tail) queues.delete(key) // the entry is only ever deleted here, so it is still the key's
    }
    const tail: Promise<void> = result.then(idle, idle)
    own.tail = tail
    return result
  }
  return {
    run,
    join<T, O, R>(
      key: string,
      item: T,
      group: (items: readonly T[]) => Promise<O[]>,
      alone: (item: T) => Promise<R>,
      settle: (item: T, outcome: O) => R,
    ): Promise<R> {
      const queue = queues.get(key)
      // Nothing queued for the key: the save runs now, alone; a save arriving meanwhile queues behind it.
      if (queue === undefined) return run(key, () => alone(item))
      const open = queue.group
      if (open !== undefined) {
        const i = open.items.push(item) - 1
        return (open.outcomes as Promise<O[]>).then((outcomes) => settle(item, outcomes[i]!))
      }
      const next: Group = { items: [item], outcomes: null }
      queue.group = next
      const outcomes = run(key, () => {
        // The group's turn: it takes no more items; later ones form the next group.
        if (queue.group === next) queue.group = undefined
        return group(next.items as T[])
      })
      next.outcomes = outcomes
      return outcomes.then((all) => settle(item, all[0]!))
    },
    latest: (key) => queues.get(key)?.version,
    latestRecord: (key) => queues.get(key)?.record,
    saved(key, record) {
      const queue = queues.get(key)
      if (queue === undefined) return // nothing queued behind this save: nobody to tell
      queue.version = record.version
      queue.record = record
    },
    forget(key) {
      const queue = queues.get(key)
      if (queue === undefined) return
      queue.version = undefined
      queue.record = undefined
    },
  }
}

/** The tail of a queue before its first task has been chained (never awaited: the first task runs at once). */
const IDLE: Promise<unknown> = Promise.resolve()
