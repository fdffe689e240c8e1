import { checkValue } from './check-value.js'
import type { SessionRecord, SessionStore } from './engine.js'
import { isSessionError, SessionError } from './errors.js'
import { expiresAtMs } from './expiry.js'
import { sessionHandle } from './handle.js'
import { generateSessionKey } from './keys.js'
import { decodePayload, encodePayload } from './payload.js'
import { type QueuedSave, type SaveOutcome, updateGroup } from './save-group.js'
import { checkAfterRebase, checkBeforeSave, needsWholeCheck } from './schema-hooks.js'
import { DELETED, markSaved, type SessionState } from './state.js'

const KEY_ATTEMPTS = 10

/**
 * Writes the session now and returns the record written: a new record under a fresh key (a new or flushed
 * session), a move to a fresh key (`cycleKey()`), or a versioned update that re-applies this request's
 * changes on top of a parallel request's save. Saves of one key inside one process queue one after another.
 * On failure the change log is kept, so a later save tries again.
 */
export function persist(s: SessionState, now: number): Promise<SessionRecord> {
  // The common case — an update of a stored session, no schema, nothing to clean up — is one queued group write.
  if (s.record === 'stored' && s.key !== null && s.orphan === null && s.ctx.schema === null && s.ctx.store.revocable)
    return s.ctx.locks.join(s.key, { s, now }, updateGroup, updateAlone, settled)
  return persistOther(s, now)
}

/** A save with nothing queued before it: the versioned update itself (which marks the state saved). */
const updateAlone = (item: QueuedSave): Promise<SessionRecord> => update(item.s, item.now)

/** The record a grouped save got, marked as saved; or its error, thrown. */
function settled(item: QueuedSave, outcome: SaveOutcome): SessionRecord {
  if ('error' in outcome) throw outcome.error
  markSaved(item.s, outcome.record)
  return outcome.record
}

/** {@link persist} for a new, flushed or cycling session, a schema's whole check, or an orphan record to remove. */
async function persistOther(s: SessionState, now: number): Promise<SessionRecord> {
  const { store } = s.ctx
  if (s.ctx.schema !== null && needsWholeCheck(s)) await checkBeforeSave(s)
  if (s.orphan !== null) {
    await store.destroy(s.orphan)
    s.orphan = null
  }
  let record: SessionRecord
  if (s.record === 'none' || s.key === null) record = await createNew(s, now)
  else if (s.record === 'cycling') record = store.revocable ? await s.ctx.locks.run(s.key, () => cycle(s, now)) : await createNew(s, now)
  else if (store.revocable) record = await queuedUpdate(s, now)
  else record = await update(s, now)
  markSaved(s, record)
  return record
}

/** A versioned update in the key's queue, grouped with the saves queued beside it (see {@link updateGroup}). */
function queuedUpdate(s: SessionState, now: number): Promise<SessionRecord> {
  return s.ctx.locks.join(s.key!, { s, now }, updateGroup, updateAlone, settled)
}

/** A first save (or the new key of a cookie-only store's cycle): a fresh key, version 1. */
async function createNew(s: SessionState, now: number): Promise<SessionRecord> {
  const { store } = s.ctx
  const previous = s.record === 'cycling' ? s.key : null
  s.created = now
  const { key, record } = await createWithFreshKey(store, (fresh) => buildRecord(s, now, 1, fresh))
  s.key = key
  s.record = 'stored'
  s.version = 1
  if (store.revocable) s.ctx.locks.saved(key, record)
  if (previous !== null) await store.destroy(previous)
  return record
}

/**
 * A versioned update of `s.key`, re-reading first when this process already saved a newer version. On a conflict
 * with another writer it re-reads, re-applies this request's changes and tries again (at most `maxConflictRetries`
 * times, with a growing random pause from the second retry). The first try is one promise chain, no async frame.
 */
export function update(s: SessionState, now: number): Promise<SessionRecord> {
  if ((s.ctx.locks.latest(s.key!) ?? 0) > s.version) return updateBehind(s, now)
  return attemptUpdate(s, now, 1)
}

/** {@link update} when this process saved a newer version than the request read: rebase on it first. */
async function updateBehind(s: SessionState, now: number): Promise<SessionRecord> {
  await rebaseChecked(s, await newest(s, s.key!, now))
  return attemptUpdate(s, now, 1)
}

/** One versioned write of the current data; a failure goes to {@link retryUpdate}. */
function attemptUpdate(s: SessionState, now: number, attempt: number): Promise<SessionRecord> {
  const { store, locks } = s.ctx
  const key = s.key!
  let record: SessionRecord
  let written: Promise<void>
  try {
    record = buildRecord(s, now, s.version + 1, key)
  } catch (error) {
    return Promise.reject(error) // the data does not serialise: nothing to retry
  }
  try {
    written = store.update(key, record, s.version)
  } catch (error) {
    return retryUpdate(s, now, attempt, error)
  }
  return written.then(
    () => {
      s.version = record.version
      if (store.revocable) locks.saved(key, record)
      markSaved(s, record)
      return record
    },
    (error: unknown) => retryUpdate(s, now, attempt, error),
  )
}

/** After a failed write: a conflict re-reads and re-applies, then tries again; anything else (or too many) fails. */
async function retryUpdate(s: SessionState, now: number, attempt: number, error: unknown): Promise<SessionRecord> {
  const { store, locks, maxConflictRetries, emit } = s.ctx
  const key = s.key!
  if (isSessionError(error, 'NOT_FOUND')) locks.forget(key)
  if (!isSessionError(error, 'VERSION_CONFLICT') || attempt > maxConflictRetries) throw error
  emit({ type: 'session.conflict', store: store.name, attempt })
  if (attempt > 1) await backoff(attempt)
  await rebaseChecked(s, await readFresh(s, key, now))
  return attemptUpdate(s, now, attempt + 1)
}

/**
 * Moves the session to a fresh key (`cycleKey()`, revocable stores). The old record is ended by a versioned
 * write (an expired, empty record), so a save a parallel request made to the old key after this request read
 * it is never lost: the conflict makes this request re-read the old record, re-apply its own changes and
 * rewrite the new key first. Only then is the old record destroyed.
 */
async function cycle(s: SessionState, now: number): Promise<SessionRecord> {
  const { store, locks, maxConflictRetries, emit } = s.ctx
  const oldKey = s.key!
  if ((locks.latest(oldKey) ?? 0) > s.version) await rebaseChecked(s, await newest(s, oldKey, now))
  s.created = now
  const created = await createWithFreshKey(store, (fresh) => buildRecord(s, now, 1, fresh))
  const newKey = created.key
  let record = created.record
  s.orphan = newKey
  // The old key's last record: empty, anonymous (it leaves the user index at once), and expired at `now`, so no
  // read finds it and no write revives it.
  const endedRecord = {
    payload: encodePayload(s.ctx.serializer, { data: new Map(), created: now, expiry: null }),
    expiresAt: new Date(now),
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await store.update(oldKey, { ...endedRecord, version: s.version + 1 }, s.version)
      break
    } catch (error) {
      if (isSessionError(error, 'NOT_FOUND')) {
        locks.forget(oldKey)
        await abandon(s, newKey)
      }
      if (!isSessionError(error, 'VERSION_CONFLICT') || attempt > maxConflictRetries) throw error
    }
    emit({ type: 'session.conflict', store: store.name, attempt })
    if (attempt > 1) await backoff(attempt)
    const fresh = await store.read(oldKey, new Date(now))
    if (fresh === null) {
      locks.forget(oldKey)
      await abandon(s, newKey)
      throw sessionEnded()
    }
    await rebaseChecked(s, fresh)
    s.created = now
    const next = buildRecord(s, now, record.version + 1, newKey)
    await store.update(newKey, next, record.version)
    record = next
  }
  locks.forget(oldKey)
  s.orphan = null
  s.key = newKey
  s.record = 'stored'
  s.version = record.version
  locks.saved(newKey, record)
  try {
    await store.destroy(oldKey)
  } catch (error) {
    // The old record is already ended (expired, empty): removing it is only housekeeping.
    s.ctx.emit({ type: 'store.degraded', store: store.name, action: 'destroy', error })
  }
  return record
}

/** Removes the new record of a cycle whose session ended meanwhile (never resurrect a logged-out session). */
async function abandon(s: SessionState, newKey: string): Promise<void> {
  await s.ctx.store.destroy(newKey)
  s.orphan = null
}

/**
 * The newest record of `key` as far as this process knows: the one the previous queued save wrote (no read), else
 * what the store holds. A parallel write from another process since then makes the versioned update conflict, and
 * the conflict re-reads.
 */
export function newest(s: SessionState, key: string, now: number): Promise<SessionRecord> | SessionRecord {
  const known = s.ctx.locks.latestRecord(key)
  return known !== undefined && known.version === s.ctx.locks.latest(key) ? known : readFresh(s, key, now)
}

export async function readFresh(s: SessionState, key: string, now: number): Promise<SessionRecord> {
  const fresh = await s.ctx.store.read(key, new Date(now))
  if (fresh === null) {
    s.ctx.locks.forget(key)
    throw sessionEnded()
  }
  return fresh
}

/** The error of a save whose session was ended by a parallel request (logout) or expired: no resurrection. */
function sessionEnded(): SessionError {
  return new SessionError('NOT_FOUND', 'core', 'the session ended (logged out or expired) while this request was using it')
}

/**
 * Puts this request's own changes on top of the data a parallel request saved: its sets and deletes, then
 * its `modify` functions re-run on the fresh values. Nothing changes when a function throws.
 */
function rebase(s: SessionState, fresh: SessionRecord): void {
  let payload: ReturnType<typeof decodePayload>
  try {
    payload = decodePayload(s.ctx.serializer, fresh.payload)
  } catch {
    s.version = fresh.version // The stored data is unreadable: this request's data replaces it.
    return
  }
  applyOwnChanges(s, payload.data, payload, fresh.version)
}

/**
 * {@link rebase} on the state another request of the same group commit left (its data as a shallow copy, no
 * serialisation): what the saves of a group that all go with their responses are chained by (see `save-group.ts`).
 */
export function rebaseOnState(s: SessionState, before: SessionState, version: number): void {
  applyOwnChanges(s, s.merge === 'keys' ? new Map(before.data) : before.data, before, version)
}

/** The payload fields a rebase takes from the fresher side. */
type Fresh = Pick<SessionState, 'created' | 'expiry' | 'user'>

/** The body of {@link rebase}: `data` (the fresher side's own map, which this may change) with this request's changes. */
function applyOwnChanges(s: SessionState, freshData: Map<string, unknown>, fresh: Fresh, version: number): void {
  let data = s.data
  if (s.merge !== 'replace') {
    data = s.merge === 'clear' ? new Map<string, unknown>() : freshData
    for (const [key, value] of s.changes) {
      if (value === DELETED) data.delete(key)
      else data.set(key, value)
    }
    for (const [key, fns] of s.modifiers) {
      let value = data.get(key)
      for (const fn of fns) value = checkedResult(s, key, fn(value))
      data.set(key, value)
    }
  }
  s.version = version
  s.created = fresh.created
  if (!s.expiryChanged) s.expiry = fresh.expiry
  if (!s.userChanged) s.user = fresh.user // a user set by this request wins, like its own writes
  s.data = data
}

/**
 * {@link rebase}, then the schema's checks of what changed (re-run `modify` results, the whole data when needed).
 * Synchronous (`undefined`) without a schema; a promise of the checks with one.
 */
export function rebaseChecked(s: SessionState, fresh: SessionRecord): Promise<void> | undefined {
  rebase(s, fresh)
  return s.ctx.schema === null ? undefined : checkAfterRebase(s)
}

/** A `modify` function's result, checked like a `set` value. */
export function checkedResult(s: SessionState, key: string, value: unknown): unknown {
  if (typeof (value as { then?: unknown } | null)?.then === 'function') {
    throw new SessionError(
      'DATA',
      'core',
      `modify(${JSON.stringify(key)}) got a promise: the function must return the next value synchronously`,
    )
  }
  checkValue(s.ctx, key, value)
  return value
}

/**
 * Waits a random 0…2^attempt ms (at most 64) before retrying a conflicted save: many writers on one session
 * then spread out instead of colliding again, and the first retry stays immediate.
 */
export function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 64)))
}

/**
 * The record for the current data, saved at `now` under `key`. A signed-in session's record carries `userId` and
 * the key's handle, so that an engine with the user index files it under the user; its payload carries the user
 * and `now` as the last save, for engines without the index and for `listFor`. With `payload`, that text is the
 * record's payload instead of the state's own serialisation (a group commit's earlier saves name the one written).
 */
export function buildRecord(s: SessionState, now: number, version: number, key: string, payload?: string): SessionRecord {
  const { ctx, user } = s
  const record: SessionRecord = {
    payload: payload ?? encodePayload(ctx.serializer, { data: s.data, created: s.created, expiry: s.expiry, user, saved: now }),
    expiresAt: new Date(expiresAtMs(s.expiry, now, s.created, ctx.maxAge, ctx.absoluteMaxAge)),
    version,
  }
  if (user !== null) {
    record.userId = user.id
    record.handle = sessionHandle(key)
  }
  return record
}

/** Creates the record `build` makes for a fresh key (the handle depends on it), retrying on the rare `KEY_CONFLICT`. */
async function createWithFreshKey(
  store: SessionStore,
  build: (key: string) => SessionRecord,
): Promise<{ key: string; record: SessionRecord }> {
  for (let attempt = 1; ; attempt++) {
    const key = generateSessionKey()
    const record = build(key)
    try {
      await store.create(key, record)
      return { key, record }
    } catch (error) {
      if (!isSessionError(error, 'KEY_CONFLICT') || attempt >= KEY_ATTEMPTS) throw error
    }
  }
}
