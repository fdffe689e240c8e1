import type { LoadedSession, SessionEngine, SessionRecord, SessionStore } from './engine.js'
import { engineError } from './errors.js'
import type { SessionEvent, SessionEventListener } from './events.js'
import { isSessionHandle } from './handle.js'
import { isSessionKey } from './keys.js'

/** Options of {@link engineStore}. */
export interface EngineStoreOptions {
  /** Receives `store.corrupt` when the engine returns a record of the wrong shape. Must not throw (errors are swallowed). */
  onEvent?: SessionEventListener
}

/**
 * Adapts a server-side engine to the store level: the cookie value is the session key, checked against
 * the key grammar before the engine sees it. Driver failures become `SessionError('ENGINE')`.
 *
 * Every record an engine returns is checked here, in one place for every engine: the payload must be a
 * string, `expiresAt` a `Date` with a finite time, `version` a positive safe integer. A record that is not
 * (a corrupt row, a hand-edited file, a foreign writer) is never a live session: it is reported as a
 * `store.corrupt` event, read as absent (so the visitor gets an empty session and the next save a fresh key,
 * never the corrupt record's key), and removed from the engine. Records of a `listUser` listing are checked the
 * same way (and must carry the user's id and a handle); a corrupt one is reported and skipped.
 *
 * The optional methods exist on the store exactly when the engine has them: `touch`, `purgeExpired`, `stats`, and
 * `listUser`/`destroyUser` (with `userIndex: true`) when the engine declares `capabilities.userIndex` and has both.
 * `durable` is the engine's `capabilities.durable`.
 */
export function engineStore(engine: SessionEngine, options: EngineStoreOptions = {}): SessionStore {
  const { name } = engine
  const listener = options.onEvent
  /** One rejection handler per action, made once: a per-call closure would be garbage on every request. */
  const failures = new Map<string, (error: unknown) => never>()
  const fail = (action: string): ((error: unknown) => never) => {
    let handler = failures.get(action)
    if (handler === undefined) {
      handler = (error: unknown): never => {
        throw engineError(name, action, error)
      }
      failures.set(action, handler)
    }
    return handler
  }
  /** Runs one engine call; a failure — a rejection or a synchronous throw — becomes `SessionError('ENGINE')`. */
  const call = <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return run().then(undefined, fail(action))
    } catch (error) {
      return Promise.reject(engineError(name, action, error))
    }
  }
  const report = (event: SessionEvent): void => {
    try {
      listener?.(event)
    } catch {
      // A listener must not break a request.
    }
  }
  /** The record if it is well-typed (synchronously, the common case); otherwise reports it, removes it and gives null. */
  const checked = (key: string, record: unknown): SessionRecord | null | Promise<null> => {
    if (record === null || record === undefined) return null
    const problem = recordProblem(record)
    if (problem === null) return record as SessionRecord
    report({ type: 'store.corrupt', store: name, detail: `the engine returned a record whose ${problem}; it is treated as absent` })
    // A corrupt record must not linger (a garbage expiry is never purged) nor be written over under its key.
    return engine.destroy(key).then(
      () => null,
      (error: unknown) => {
        report({ type: 'store.degraded', store: name, action: 'destroy a corrupt record', error: engineError(name, 'destroy', error) })
        return null
      },
    )
  }
  const failedRead = fail('read')
  const failedUpdate = fail('update')
  /**
   * One engine read, checked, and what `found` makes of a live record: a single promise on the way (no async function
   * frames per layer). A miss or a corrupt record gives `null`.
   */
  const readChecked = <T>(key: string, now: Date, found: (record: SessionRecord) => T): Promise<T | null> => {
    try {
      return engine.read(key, now).then((record) => {
        const live = checked(key, record)
        return live === null || live instanceof Promise ? live : found(live)
      }, failedRead)
    } catch (error) {
      return Promise.reject(engineError(name, 'read', error))
    }
  }
  const read = (key: string, now: Date): Promise<SessionRecord | null> => readChecked(key, now, itself)

  const { listUser, destroyUser } = engine
  const indexed = engine.capabilities?.userIndex === true && typeof listUser === 'function' && typeof destroyUser === 'function'
  const store: SessionStore = {
    name,
    revocable: true,
    durable: engine.capabilities?.durable === true,
    userIndex: indexed,
    wellFormed: isSessionKey,
    load(cookieValue: string, now: Date): Promise<LoadedSession | null> {
      if (!isSessionKey(cookieValue)) return Promise.resolve(null)
      return readChecked(cookieValue, now, (record) => ({ key: cookieValue, record }))
    },
    read,
    create: (key, record) => call('create', () => engine.create(key, record)),
    update(key, record, ifVersion) {
      try {
        return engine.update(key, record, ifVersion).then(undefined, failedUpdate) // every save: no closure per call
      } catch (error) {
        return Promise.reject(engineError(name, 'update', error))
      }
    },
    destroy: (key) => call('destroy', () => engine.destroy(key)),
    cookieValue: (key) => key,
  }
  if (engine.touch) {
    const touch = engine.touch.bind(engine)
    store.touch = (key, expiresAt) => call('touch', () => touch(key, expiresAt))
  }
  if (engine.purgeExpired) {
    const purge = engine.purgeExpired.bind(engine)
    store.purgeExpired = (now) => call('purgeExpired', () => purge(now))
  }
  if (engine.stats) {
    const stats = engine.stats.bind(engine)
    store.stats = (now) => call('stats', () => stats(now))
  }
  if (indexed) {
    store.listUser = async (userId, now) => listed(await call('listUser', () => listUser!.call(engine, userId, now)), userId, now)
    store.destroyUser = (userId, options) => call('destroyUser', () => destroyUser!.call(engine, userId, options))
  }
  if (engine.dispose) store.dispose = engine.dispose.bind(engine)
  return store

  /**
   * The well-typed live records of a listing. A corrupt one (wrong types, no handle, another user's) is reported as
   * `store.corrupt` and skipped: it has no key here to remove it by, and a device list must not fail for one bad row.
   */
  function listed(records: unknown, userId: string, now: Date): SessionRecord[] {
    if (!Array.isArray(records)) {
      report({
        type: 'store.corrupt',
        store: name,
        detail: `listUser returned ${describeType(records)}, not an array; it is treated as empty`,
      })
      return []
    }
    const out: SessionRecord[] = []
    for (const record of records) {
      const problem = recordProblem(record) ?? indexProblem(record as SessionRecord, userId)
      if (problem !== null) {
        report({ type: 'store.corrupt', store: name, detail: `listUser returned a record whose ${problem}; it is skipped` })
        continue
      }
      if ((record as SessionRecord).expiresAt > now) out.push(record as SessionRecord)
    }
    return out
  }
}

const itself = <T>(value: T): T => value

/** What is wrong with the user fields of a listed record, or `null`. The text never contains their values. */
function indexProblem(record: SessionRecord, userId: string): string | null {
  if (record.userId !== userId)
    return typeof record.userId === 'string' ? 'userId is another user' : `userId is ${describeType(record.userId)}`
  if (!isSessionHandle(record.handle))
    return typeof record.handle === 'string' ? 'handle is not a session handle' : `handle is ${describeType(record.handle)}`
  return null
}

/**
 * What is wrong with a record an engine returned, or `null` when it is well-typed: a string payload, a `Date`
 * `expiresAt` with a finite time, a positive safe-integer `version`. The text never contains the record's values.
 */
export function recordProblem(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return `type is ${record === null ? 'null' : typeof record}, not an object`
  const { payload, expiresAt, version } = record as Partial<Record<keyof SessionRecord, unknown>>
  if (typeof payload !== 'string') return `payload is ${describeType(payload)}, not a string`
  if (!(expiresAt instanceof Date)) return `expiresAt is ${describeType(expiresAt)}, not a Date`
  if (!Number.isFinite(expiresAt.getTime())) return 'expiresAt is an invalid Date'
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    return `version is ${typeof version === 'number' ? 'a number that is not a positive safe integer' : describeType(version)}`
  }
  return null
}

function describeType(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'missing'
  if (typeof value === 'object') return value instanceof Date ? 'a Date' : `an ${Array.isArray(value) ? 'array' : 'object'}`
  return `a ${typeof value}`
}

/** Whether `value` is a store (has the store-level methods) rather than an engine. */
export function isSessionStore(value: SessionEngine | SessionStore): value is SessionStore {
  return typeof (value as SessionStore).load === 'function' && typeof (value as SessionStore).cookieValue === 'function'
}
