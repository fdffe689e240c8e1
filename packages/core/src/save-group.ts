import type { SessionRecord } from './engine.js'
import { isSessionError } from './errors.js'
import { backoff, buildRecord, newest, readFresh, rebaseChecked, rebaseOnState, update } from './save.js'
import type { SessionState } from './state.js'

/** One save waiting in a key's queue: the request's state and its clock at commit. */
export interface QueuedSave {
  readonly s: SessionState
  readonly now: number
}

/** What one save of a group got: the record that names it, or the error it fails with. */
export type SaveOutcome = { readonly record: SessionRecord } | { readonly error: unknown }

/**
 * Writes the saves of one key that queued behind the same earlier save as one versioned update (group commit):
 * each request's changes are re-applied, in the order the saves came, on top of the data the one before it would
 * have written, and only the last state's record is written. So ten parallel requests of one session cost one
 * write instead of ten, and each still gets exactly its own changes applied — the same result as ten writes one
 * after another. A request whose own re-applied change fails (a schema check, a `modify` returning a promise) fails
 * alone; a failed write fails them all, with their change logs kept. A conflict with another process re-reads and
 * re-applies all of them, like a single save. The saves are chained by their states when all of them are final
 * commits without a schema ({@link chainStates}: one serialisation per group), else by records ({@link chainRecords}).
 */
export function updateGroup(items: readonly QueuedSave[]): Promise<SaveOutcome[]> {
  if (items.length > 1) return updateMany(items)
  const { s, now } = items[0]!
  return update(s, now).then(alone, failedAlone) // one save: no group to build
}

const alone = (record: SessionRecord): SaveOutcome[] => [{ record }]
const failedAlone = (error: unknown): SaveOutcome[] => [{ error }]

/** {@link updateGroup} of two or more saves. */
async function updateMany(items: readonly QueuedSave[]): Promise<SaveOutcome[]> {
  const first = items[0]!.s
  const { store, locks, maxConflictRetries, emit } = first.ctx
  const key = first.key!
  const outcomes: SaveOutcome[] = new Array(items.length)
  let base: SessionRecord | null = null
  try {
    if ((locks.latest(key) ?? 0) > first.version) {
      const known = newest(first, key, items[0]!.now) // the previous group's record: no read, no await
      base = known instanceof Promise ? await known : known
    }
  } catch (error) {
    return items.map(() => ({ error }))
  }
  // Every save goes with its response (no request writes again) and no schema checks a rebase: the saves are chained
  // by their states, and only the last is serialised (see `chainStates`).
  const chained = first.ctx.schema === null && items.every(isFinal)
  for (let attempt = 1; ; attempt++) {
    // The version the write replaces: the newest known one, or the first request's own.
    const expected = base === null ? first.version : base.version
    const records: Array<SessionRecord | null> = new Array<SessionRecord | null>(items.length).fill(null)
    const last = chained
      ? chainStates(items, outcomes, records, base, attempt, expected, key)
      : await chainRecords(items, outcomes, records, base, attempt, expected, key)
    if (last === -1) return outcomes
    const written = records[last]!
    try {
      await store.update(key, written, expected)
    } catch (error) {
      if (isSessionError(error, 'NOT_FOUND')) locks.forget(key)
      if (!isSessionError(error, 'VERSION_CONFLICT') || attempt > maxConflictRetries) {
        for (let i = 0; i < items.length; i++) if (records[i] !== null) outcomes[i] = { error }
        return outcomes
      }
      emit({ type: 'session.conflict', store: store.name, attempt })
      if (attempt > 1) await backoff(attempt)
      try {
        base = await readFresh(first, key, items[0]!.now)
      } catch (readError) {
        for (let i = 0; i < items.length; i++) if (records[i] !== null) outcomes[i] = { error: readError }
        return outcomes
      }
      continue
    }
    locks.saved(key, written)
    for (let i = 0; i < items.length; i++) {
      const record = records[i]
      if (record == null) continue
      // Only the last state holds the data now stored; an earlier one's next save (same request) rebases first.
      items[i]!.s.version = i === last ? written.version : expected
      outcomes[i] = { record }
    }
    return outcomes
  }
}

const isFinal = (item: QueuedSave): boolean => item.s.final

/**
 * Chains the saves of a group by their records: each is re-applied on top of the record the one before it built
 * (parsed), and builds its own (serialised). Every request's state ends exactly as a save of its own would have left
 * it, with values of its own (what a request that saves again and goes on needs). Fills `records` (and `outcomes`
 * for a save whose own change failed) and returns the index of the last record, the one to write, or -1.
 */
async function chainRecords(
  items: readonly QueuedSave[],
  outcomes: SaveOutcome[],
  records: Array<SessionRecord | null>,
  base: SessionRecord | null,
  attempt: number,
  expected: number,
  key: string,
): Promise<number> {
  let previous = base
  let last = -1
  for (let i = 0; i < items.length; i++) {
    if (outcomes[i] !== undefined) continue // its own change failed in an earlier attempt
    const { s, now } = items[i]!
    // On top of the previous request's result; the first one only when it is behind the newest known record.
    const behind = previous !== null && (previous !== base || attempt > 1 || previous.version > s.version)
    try {
      if (behind) {
        const checking = rebaseChecked(s, previous!)
        if (checking !== undefined) await checking
      }
    } catch (error) {
      outcomes[i] = { error }
      continue
    }
    previous = buildRecord(s, now, expected + 1, key)
    records[i] = previous
    last = i
  }
  return last
}

/**
 * {@link chainRecords} for a group whose saves all go with their responses, synchronously: each request's changes
 * are re-applied on top of the state the one before it left (a shallow copy of its data map), and only the last state
 * is serialised — one serialisation and no parse per group instead of one of each per save. The earlier records name
 * the payload written, with their own expiry. The values of unchanged keys are then shared between the requests'
 * states; that is safe because none of them can write again (their final commit has started) and the record is
 * serialised before anything else runs.
 */
function chainStates(
  items: readonly QueuedSave[],
  outcomes: SaveOutcome[],
  records: Array<SessionRecord | null>,
  base: SessionRecord | null,
  attempt: number,
  expected: number,
  key: string,
): number {
  let before: SessionState | null = null
  let last = -1
  for (let i = 0; i < items.length; i++) {
    if (outcomes[i] !== undefined) continue
    const { s } = items[i]!
    try {
      if (before !== null) rebaseOnState(s, before, expected + 1)
      else if (base !== null && (attempt > 1 || base.version > s.version)) rebaseChecked(s, base) // no schema: synchronous
    } catch (error) {
      outcomes[i] = { error }
      continue
    }
    before = s
    last = i
  }
  if (last === -1) return -1
  const written = buildRecord(items[last]!.s, items[last]!.now, expected + 1, key)
  records[last] = written
  for (let i = 0; i < last; i++) {
    if (outcomes[i] === undefined) records[i] = buildRecord(items[i]!.s, items[i]!.now, expected + 1, key, written.payload)
  }
  return last
}
