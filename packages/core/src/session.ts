import { saveNow } from './commit.js'
import type { SessionContext } from './context.js'
import { checkValue } from './check-value.js'
import { SessionError } from './errors.js'
import { expiresAtBrowserClose, expiryAge, type ExpiryInput, type StoredExpiry } from './expiry.js'
import { described, DONE, inOrder, inOrderWrite, runsNow } from './in-order.js'
import { checkedResult } from './save.js'
import { schemaValue } from './schema-hooks.js'
import { sessionHandle } from './handle.js'
import { applyUser, checkUserChange, userOf } from './session-user.js'
import type { SessionUser, UserMetadata } from './user.js'
import {
  assertWritable,
  clearData,
  createState,
  DELETED,
  enqueue,
  incomingCookie,
  isEmpty,
  STATE,
  write,
  writeModified,
  type Modifier,
  type SessionState,
} from './state.js'

/** The shape of session data: string keys, values the serializer can store. */
export type SessionData = Record<string, unknown>

const TEST_COOKIE_KEY = 'testcookie'
const TEST_COOKIE_VALUE = 'worked'

/**
 * One visitor's session during one request, with Django's semantics.
 *
 * Lazy: nothing is read from the store until data is first read or written. Data methods are async
 * for that reason; `key`, `handle`, `accessed`, `modified` and `isEmpty()` are synchronous.
 * Values are typed by `Data`. Values returned by `get` are the stored objects: after mutating one in
 * place, `set` it again (or set `modified = true`) so it is saved.
 *
 * Once the binding's final commit has started (the response's headers are on their way), every data write
 * rejects with `SessionError('COMMITTED')`; reads keep working. Call `await session.save()` before
 * streaming a response to save earlier.
 *
 * @typeParam Data - the app's session data type.
 */
export class Session<Data extends SessionData = SessionData> {
  /** @internal */
  readonly [STATE]: SessionState

  /** @internal Use `sessions.load(cookieHeader)`. */
  constructor(ctx: SessionContext, cookieHeader: string | null | undefined) {
    this[STATE] = createState(ctx, cookieHeader)
  }

  /**
   * The session key, or `null`. Before the data is loaded this is the key the cookie names (like Django's
   * `session_key`; cookie-only stores know it only once loaded); after loading, the verified key, or `null`
   * when the cookie named no live session. A new session gets its key when it is first saved.
   */
  get key(): string | null {
    const s = this[STATE]
    if (s.phase !== 'loaded') incomingCookie(s)
    return s.key
  }

  /**
   * The non-secret handle of the current key (16 base64url characters, see `sessionHandle`), or `null` when there is
   * no key yet. What `sessions.listFor` shows and `sessions.destroyHandle`/`destroyAllFor({ except })` take. It
   * changes with the key: after `cycleKey()` or a `setUser` that switches users, the save gives it a new value.
   */
  get handle(): string | null {
    const key = this.key
    return key === null ? null : sessionHandle(key)
  }

  /** The data was read or written during this request (the response then varies by `Cookie`). */
  get accessed(): boolean {
    return this[STATE].accessed
  }

  /** The data was changed during this request (it stays `true` after a save, as in Django). */
  get modified(): boolean {
    return this[STATE].modified
  }

  /**
   * Set to `true` after mutating a stored object in place, to save the whole data (it then wins over
   * parallel writes). Throws `SessionError('COMMITTED')` once the final commit has started.
   */
  set modified(value: boolean) {
    if (!value) return
    const s = this[STATE]
    assertWritable(s, 'modified = true')
    s.modified = true
    s.dirty = true
    s.merge = 'replace'
  }

  /** No key and no data (Django's `is_empty()`). Does not load: a cookie naming a session counts as not empty. */
  isEmpty(): boolean {
    return isEmpty(this[STATE])
  }

  /** The value stored under `key`, or `fallback` (default `undefined`). */
  get<K extends keyof Data & string>(key: K): Promise<Data[K] | undefined>
  get<K extends keyof Data & string>(key: K, fallback: Exclude<Data[K], undefined>): Promise<Exclude<Data[K], undefined>>
  get(key: string, fallback?: unknown): Promise<unknown> {
    const s = this[STATE]
    // Once the data is loaded: one settled promise, no closure, no suspended frame.
    if (runsNow(s)) {
      s.accessed = true
      return Promise.resolve(s.data.has(key) ? s.data.get(key) : fallback)
    }
    return inOrder(s, (s) => (s.data.has(key) ? s.data.get(key) : fallback))
  }

  /**
   * Stores `value` under `key`. A value the serializer cannot bring back the same, or that fails the `schema`
   * (the key's own schema, or the whole data's at the save), → `SessionError('DATA')`, nothing changed. With a
   * schema the value stored is the schema's output (e.g. a trimmed string).
   */
  set<K extends keyof Data & string>(key: K, value: Data[K]): Promise<void> {
    const s = this[STATE]
    try {
      checkValue(s.ctx, key, value)
    } catch (error) {
      return Promise.reject(error)
    }
    if (s.ctx.schema === null) {
      // Loaded and nothing waiting: written now; the answer is the shared settled promise.
      if (runsNow(s) && !s.final) {
        s.accessed = true
        write(s, key, value)
        return DONE
      }
      return inOrderWrite(s, 'set', key, (s) => write(s, key, value))
    }
    return inOrderWrite(s, 'set', key, (s) => {
      const checked = schemaValue(s, key, value, described('set', key)) // synchronous for a synchronous validator
      if (checked instanceof Promise) return checked.then((v) => write(s, key, v))
      write(s, key, checked)
    })
  }

  /**
   * Atomic read-modify-write of one key: `fn` gets the current value (or `undefined`) and returns the next.
   * If a parallel request saved the session first, core re-reads it and **runs `fn` again on the fresh
   * value** before saving, so no increment or push is lost — `fn` may therefore run more than once and must
   * not have side effects. It must return synchronously. A throwing `fn` changes nothing; its error reaches
   * the caller (or, when thrown on a re-run, the save). Resolves with the value computed on this request's
   * data; after `await session.save()`, `get(key)` returns the value actually stored.
   *
   * @example
   * ```ts
   * await session.modify('count', (n = 0) => n + 1)
   * await session.modify('cart', (items = []) => [...items, item])
   * ```
   */
  modify<K extends keyof Data & string>(key: K, fn: (current: Data[K] | undefined) => Data[K]): Promise<Data[K]> {
    if (typeof fn !== 'function') return Promise.reject(new SessionError('DATA', 'core', `modify(${JSON.stringify(key)}) needs a function`))
    return inOrderWrite(this[STATE], 'modify', key, (s) => {
      const value = checkedResult(s, key, fn(s.data.get(key) as Data[K] | undefined)) as Data[K]
      if (s.ctx.schema === null) {
        writeModified(s, key, fn as Modifier, value)
        return value
      }
      // Synchronous for a synchronous validator, so nothing runs between the read and the write.
      const checked = schemaValue(s, key, value, described('modify', key)) as Data[K] | Promise<Data[K]>
      const store = (stored: Data[K]): Data[K] => {
        writeModified(s, key, fn as Modifier, stored)
        return stored
      }
      return checked instanceof Promise ? checked.then(store) : store(checked)
    })
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: keyof Data & string): Promise<boolean> {
    return inOrderWrite(this[STATE], 'delete', key, (s) => {
      if (!s.data.has(key)) return false
      write(s, key, DELETED)
      return true
    })
  }

  /** Whether `key` is stored (Django's `in`). */
  has(key: keyof Data & string): Promise<boolean> {
    return inOrder(this[STATE], (s) => s.data.has(key))
  }

  /** Removes `key` and returns its value, or `fallback` when it was absent. */
  async pop<K extends keyof Data & string>(key: K): Promise<Data[K] | undefined>
  async pop<K extends keyof Data & string>(key: K, fallback: Exclude<Data[K], undefined>): Promise<Exclude<Data[K], undefined>>
  pop(key: string, fallback?: unknown): Promise<unknown> {
    return inOrderWrite(this[STATE], 'pop', key, (s) => {
      if (!s.data.has(key)) return fallback
      const value = s.data.get(key)
      write(s, key, DELETED)
      return value
    })
  }

  /** Returns the value under `key`; stores `value` there first when absent. */
  setDefault<K extends keyof Data & string>(key: K, value: Data[K]): Promise<Data[K]> {
    // In turn with the calls made before it; a present key is answered even after the final commit (a read).
    return inOrder(this[STATE], (s) => {
      if (s.data.has(key)) return s.data.get(key) as Data[K]
      const what = described('setDefault', key)
      assertWritable(s, what)
      checkValue(s.ctx, key, value)
      const store = (stored: Data[K]): Data[K] => {
        if (s.data.has(key)) return s.data.get(key) as Data[K] // set meanwhile, while an async validator ran
        write(s, key, stored)
        return stored
      }
      if (s.ctx.schema === null) return store(value)
      const checked = schemaValue(s, key, value, what) as Data[K] | Promise<Data[K]>
      return checked instanceof Promise ? checked.then(store) : store(checked)
    })
  }

  /** Stores every own key of `values`. All are checked before any is written. */
  update(values: Partial<Data>): Promise<void> {
    let entries: Array<[string, unknown]>
    try {
      entries = Object.entries(values)
      for (const [key, value] of entries) checkValue(this[STATE].ctx, key, value)
    } catch (error) {
      return Promise.reject(error)
    }
    const what = `update(${JSON.stringify(entries.map(([key]) => key))})`
    return inOrderWrite(this[STATE], what, undefined, (s) => {
      const apply = (): void => {
        for (const [key, value] of entries) write(s, key, value)
        s.modified = true
        s.dirty = true
      }
      if (s.ctx.schema === null) return apply()
      return (async () => {
        for (const entry of entries) entry[1] = await schemaValue(s, entry[0], entry[1], what)
        apply()
      })()
    })
  }

  /** The stored keys. */
  keys(): Promise<Array<keyof Data & string>> {
    return inOrder(this[STATE], (s) => [...s.data.keys()] as Array<keyof Data & string>)
  }

  /** The stored values. */
  values(): Promise<Array<Data[keyof Data]>> {
    return inOrder(this[STATE], (s) => [...s.data.values()] as Array<Data[keyof Data]>)
  }

  /** The stored `[key, value]` pairs. */
  entries(): Promise<Array<[keyof Data & string, Data[keyof Data]]>> {
    return inOrder(this[STATE], (s) => [...s.data.entries()] as Array<[keyof Data & string, Data[keyof Data]]>)
  }

  /** Empties the data and keeps the key (Django's `clear()`). The user stays signed in: `flush()` or `setUser(null)` sign out. */
  clear(): Promise<void> {
    return inOrderWrite(this[STATE], 'clear()', undefined, clearData)
  }

  /**
   * Logs out: destroys the stored session now (it leaves the user index with it), empties the data, signs the user
   * out, drops the key; the response expires the cookie (Django's `flush()`). Data set afterwards starts a new
   * session with a new key.
   */
  flush(): Promise<void> {
    return inOrderWrite(this[STATE], 'flush()', undefined, (s) =>
      enqueue(s, async () => {
        if (s.key !== null && s.record !== 'none') {
          await s.ctx.store.destroy(s.key)
          s.ctx.locks.forget(s.key)
        }
        s.key = null
        s.record = 'none'
        s.version = 0
        s.expiry = null
        s.expiryChanged = false
        s.saved = null
        s.user = null // signed out: the record left the user index with its destruction
        s.userChanged = false
        clearData(s)
      }),
    )
  }

  /**
   * Signs the session in as `userId` (or out, with `null`), with optional `metadata` the app wants in the device list
   * (user agent, IP… JSON primitives, at most 16 entries and 1 KiB). A change of user — anonymous → id, id → another
   * id, id → `null` — cycles the key at the next save, exactly like `cycleKey()` (Django's `login()`: session
   * fixation protection). It keeps the data, except when a signed-in session signs in as *another* id: then the data
   * is emptied too, as Django's `login()` flushes a session of a different user, so nothing of one user's carries over
   * to the next. The same id only replaces the metadata (omitted: kept). An empty
   * session that signs in is saved. Like every write, it rejects with `SessionError('COMMITTED')` after the final
   * commit. Bad arguments (an empty id, one over 256 characters or with control characters, metadata that is not
   * small JSON primitives) → `SessionError('DATA')`, nothing changed.
   *
   * Why a call and not "an option naming the data key that holds the user id": the user lives beside the data,
   * in the payload's envelope, so no data write (`set`, `clear()`, a rebase, the `schema` and its transforms) can
   * sign anyone in or out or leave the index out of step with it; signing in always cycles the key, so session
   * fixation is impossible; and engines index `record.userId`/`record.handle`, which core passes on every save of a
   * signed-in session, without parsing payloads. `clear()` keeps the user; `flush()` signs out.
   *
   * `accessed` becomes `true` (it loads the session); `modified` becomes `true` unless nothing changes (the same
   * id without metadata, or `null` on an anonymous session).
   *
   * @example
   * ```ts
   * await session.setUser(user.id, { userAgent: request.headers.get('user-agent') })
   * ```
   */
  setUser(userId: string | null, metadata?: UserMetadata): Promise<void> {
    let change: ReturnType<typeof checkUserChange>
    try {
      change = checkUserChange(userId, metadata)
    } catch (error) {
      return Promise.reject(error)
    }
    return inOrderWrite(this[STATE], 'setUser()', undefined, (s) => applyUser(s, change))
  }

  /** The user the session is signed in as (`setUser`), with its metadata, or `null` for an anonymous session. */
  getUser(): Promise<SessionUser | null> {
    return inOrder(this[STATE], userOf)
  }

  /**
   * Keeps the data under a new key and destroys the old record at the next save (Django's `cycle_key()`).
   * Call it on login, against session fixation. If the request fails, nothing changes. A save a parallel
   * request made to the old key meanwhile is carried over to the new key, never lost.
   */
  cycleKey(): Promise<void> {
    return inOrderWrite(this[STATE], 'cycleKey()', undefined, (s) => {
      if (s.record === 'stored') s.record = 'cycling'
      s.modified = true
      s.dirty = true
    })
  }

  /**
   * Persists the session now (Django's `save()`, express-session's `req.session.save()`): what changed
   * since the last save is written, with the same merge of parallel requests' changes as the final commit.
   * May be called any number of times; the binding's commit then writes only what changed after it.
   * A failed save keeps the changes, so calling it again retries. An empty new session is not stored.
   */
  save(): Promise<void> {
    return inOrderWrite(this[STATE], 'save()', undefined, (s) => enqueue(s, () => saveNow(s)))
  }

  /**
   * Sets this session's own expiry (Django's `set_expiry`): seconds of inactivity, a `Date`,
   * `0` (the cookie ends when the browser closes) or `null` (back to the global policy).
   */
  setExpiry(value: ExpiryInput): Promise<void> {
    let expiry: StoredExpiry
    if (value === null) expiry = null
    else if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) return Promise.reject(new SessionError('DATA', 'core', 'setExpiry got an invalid Date'))
      expiry = value.toISOString()
    } else if (typeof value === 'number' && Number.isFinite(value)) expiry = Math.trunc(value)
    else return Promise.reject(new SessionError('DATA', 'core', `setExpiry takes seconds, a Date, 0 or null, not ${String(value)}`))
    return inOrderWrite(this[STATE], 'setExpiry()', undefined, (s) => {
      s.expiry = expiry
      s.expiryChanged = true
      s.modified = true
      s.dirty = true
    })
  }

  /** Seconds until the session expires if saved now (Django's `get_expiry_age()`). */
  getExpiryAge(): Promise<number> {
    return inOrder(this[STATE], (s) => expiryAge(s.expiry, s.ctx.clock(), s.ctx.maxAge))
  }

  /** When the session expires if saved now (Django's `get_expiry_date()`), before any absolute cap. */
  getExpiryDate(): Promise<Date> {
    return inOrder(this[STATE], (s) => {
      const now = s.ctx.clock()
      return new Date(now + expiryAge(s.expiry, now, s.ctx.maxAge) * 1000)
    })
  }

  /** Whether the cookie ends when the browser closes (Django's `get_expire_at_browser_close()`). */
  expireAtBrowserClose(): Promise<boolean> {
    return inOrder(this[STATE], (s) => expiresAtBrowserClose(s.expiry, s.ctx.expireAtBrowserClose))
  }

  /** Stores a marker to check on the next request whether the browser keeps cookies. */
  setTestCookie(): Promise<void> {
    return inOrderWrite(this[STATE], 'setTestCookie()', undefined, (s) => write(s, TEST_COOKIE_KEY, TEST_COOKIE_VALUE))
  }

  /** Whether the marker of `setTestCookie()` came back. */
  testCookieWorked(): Promise<boolean> {
    return inOrder(this[STATE], (s) => s.data.get(TEST_COOKIE_KEY) === TEST_COOKIE_VALUE)
  }

  /** Removes the marker of `setTestCookie()`. */
  deleteTestCookie(): Promise<void> {
    return inOrderWrite(this[STATE], 'deleteTestCookie()', undefined, (s) => {
      if (s.data.has(TEST_COOKIE_KEY)) write(s, TEST_COOKIE_KEY, DELETED)
    })
  }
}
