import type { SessionContext } from './context.js'
import { readSessionCookie, type IncomingCookie } from './cookie.js'
import { SessionError } from './errors.js'
import { expiresAtBrowserClose, expiryAge, type ExpiryInput, type StoredExpiry } from './expiry.js'
import { decodePayload } from './payload.js'

/** The shape of session data: string keys, values the serializer can store. */
export type SessionData = Record<string, unknown>

/** Marks a key this request deleted, in the change log. @internal */
export const DELETED: unique symbol = Symbol('deleted')

const TEST_COOKIE_KEY = 'testcookie'
const TEST_COOKIE_VALUE = 'worked'

/** A session's whole mutable state; the commit logic works on it. @internal */
export interface SessionState {
  readonly ctx: SessionContext
  readonly header: string | null | undefined
  /** The parsed session cookie; `undefined` until first needed. */
  incoming: IncomingCookie | null | undefined
  /** The current key: the cookie's (well-formed) key until loaded, then the verified key or null. */
  key: string | null
  loaded: boolean
  loading: Promise<void> | null
  /** A record exists under `key` (as far as this request knows). */
  stored: boolean
  version: number
  data: Map<string, unknown>
  created: number
  expiry: StoredExpiry
  /** This request's own writes, re-applied on top of a parallel request's save. */
  changes: Map<string, unknown>
  cleared: boolean
  expiryChanged: boolean
  /** `modified` was set by hand: this request's whole data wins on conflict. */
  forceAll: boolean
  accessed: boolean
  modified: boolean
  /** The store asked for the cookie to be issued again (e.g. re-seal with the newest secret). */
  reissue: boolean
  /** `cycleKey()` was called: the next save moves the data to a new key and destroys the old one. */
  cycle: boolean
  committed: Promise<unknown> | null
}

let stateOf: (session: Session<any>) => SessionState

/** The internal state of a session, for `commit`. @internal */
export function sessionState(session: Session<any>): SessionState {
  return stateOf(session)
}

/**
 * One visitor's session during one request, with Django's semantics.
 *
 * Lazy: nothing is read from the store until data is first read or written. Data methods are async
 * for that reason; `key`, `accessed`, `modified` and `isEmpty()` are synchronous.
 * Values are typed by `Data`. Values returned by `get` are the stored objects: after mutating one in
 * place, `set` it again (or set `modified = true`) so it is saved.
 *
 * @typeParam Data - the app's session data type.
 */
export class Session<Data extends SessionData = SessionData> {
  readonly #s: SessionState

  static {
    stateOf = (session) => session.#s
  }

  /** @internal Use `sessions.load(cookieHeader)`. */
  constructor(ctx: SessionContext, cookieHeader: string | null | undefined) {
    this.#s = {
      ctx,
      header: cookieHeader,
      incoming: undefined,
      key: null,
      loaded: false,
      loading: null,
      stored: false,
      version: 0,
      data: EMPTY,
      created: 0,
      expiry: null,
      changes: new Map(),
      cleared: false,
      expiryChanged: false,
      forceAll: false,
      accessed: false,
      modified: false,
      reissue: false,
      cycle: false,
      committed: null,
    }
  }

  /**
   * The session key, or `null`. Before the data is loaded this is the key the cookie names (like Django's
   * `session_key`; cookie-only stores know it only once loaded); after loading, the verified key, or `null`
   * when the cookie named no live session. A new session gets its key when it is first saved.
   */
  get key(): string | null {
    const s = this.#s
    if (!s.loaded) candidate(s)
    return s.key
  }

  /** The data was read or written during this request (the response then varies by `Cookie`). */
  get accessed(): boolean {
    return this.#s.accessed
  }

  /** The data was changed during this request, so it will be saved. */
  get modified(): boolean {
    return this.#s.modified
  }

  /** Set to `true` after mutating a stored object in place, to save the whole data (it then wins over parallel writes). */
  set modified(value: boolean) {
    if (value) {
      this.#s.modified = true
      this.#s.forceAll = true
    }
  }

  /** No key and no data (Django's `is_empty()`). Does not load: a cookie naming a session counts as not empty. */
  isEmpty(): boolean {
    return isEmpty(this.#s)
  }

  /** The value stored under `key`, or `fallback` (default `undefined`). */
  async get<K extends keyof Data & string>(key: K): Promise<Data[K] | undefined>
  async get<K extends keyof Data & string>(key: K, fallback: Exclude<Data[K], undefined>): Promise<Exclude<Data[K], undefined>>
  async get(key: string, fallback?: unknown): Promise<unknown> {
    const s = await loaded(this.#s)
    return s.data.has(key) ? s.data.get(key) : fallback
  }

  /** Stores `value` under `key`. A value the serializer cannot bring back the same → `SessionError('DATA')`, nothing changed. */
  async set<K extends keyof Data & string>(key: K, value: Data[K]): Promise<void> {
    checkValue(this.#s.ctx, key, value)
    write(await loaded(this.#s), key, value)
  }

  /** Removes `key`; returns whether it was there. */
  async delete(key: keyof Data & string): Promise<boolean> {
    const s = await loaded(this.#s)
    if (!s.data.has(key)) return false
    write(s, key, DELETED)
    return true
  }

  /** Whether `key` is stored (Django's `in`). */
  async has(key: keyof Data & string): Promise<boolean> {
    return (await loaded(this.#s)).data.has(key)
  }

  /** Removes `key` and returns its value, or `fallback` when it was absent. */
  async pop<K extends keyof Data & string>(key: K): Promise<Data[K] | undefined>
  async pop<K extends keyof Data & string>(key: K, fallback: Exclude<Data[K], undefined>): Promise<Exclude<Data[K], undefined>>
  async pop(key: string, fallback?: unknown): Promise<unknown> {
    const s = await loaded(this.#s)
    if (!s.data.has(key)) return fallback
    const value = s.data.get(key)
    write(s, key, DELETED)
    return value
  }

  /** Returns the value under `key`; stores `value` there first when absent. */
  async setDefault<K extends keyof Data & string>(key: K, value: Data[K]): Promise<Data[K]> {
    const s = await loaded(this.#s)
    if (s.data.has(key)) return s.data.get(key) as Data[K]
    checkValue(s.ctx, key, value)
    write(s, key, value)
    return value
  }

  /** Stores every own key of `values`. All are checked before any is written. */
  async update(values: Partial<Data>): Promise<void> {
    const entries = Object.entries(values)
    for (const [key, value] of entries) checkValue(this.#s.ctx, key, value)
    const s = await loaded(this.#s)
    for (const [key, value] of entries) write(s, key, value)
    s.modified = true
  }

  /** The stored keys. */
  async keys(): Promise<Array<keyof Data & string>> {
    return [...(await loaded(this.#s)).data.keys()] as Array<keyof Data & string>
  }

  /** The stored values. */
  async values(): Promise<Array<Data[keyof Data]>> {
    return [...(await loaded(this.#s)).data.values()] as Array<Data[keyof Data]>
  }

  /** The stored `[key, value]` pairs. */
  async entries(): Promise<Array<[keyof Data & string, Data[keyof Data]]>> {
    return [...(await loaded(this.#s)).data.entries()] as Array<[keyof Data & string, Data[keyof Data]]>
  }

  /** Empties the data and keeps the key (Django's `clear()`). */
  async clear(): Promise<void> {
    const s = await loaded(this.#s)
    s.data = new Map()
    s.changes.clear()
    s.cleared = true
    s.modified = true
  }

  /**
   * Logs out: destroys the stored session now, empties the data, drops the key; the response expires the
   * cookie (Django's `flush()`). Data set afterwards starts a new session with a new key.
   */
  async flush(): Promise<void> {
    const s = await loaded(this.#s)
    if (s.key !== null && s.stored) await s.ctx.store.destroy(s.key)
    s.key = null
    s.stored = false
    s.version = 0
    s.data = new Map()
    s.changes.clear()
    s.cleared = true
    s.expiry = null
    s.expiryChanged = false
    s.cycle = false
    s.modified = true
  }

  /**
   * Keeps the data under a new key and destroys the old record when the response is committed (Django's
   * `cycle_key()`). Call it on login, against session fixation. If the request fails, nothing changes.
   */
  async cycleKey(): Promise<void> {
    const s = await loaded(this.#s)
    s.cycle = true
    s.modified = true
  }

  /**
   * Sets this session's own expiry (Django's `set_expiry`): seconds of inactivity, a `Date`,
   * `0` (the cookie ends when the browser closes) or `null` (back to the global policy).
   */
  async setExpiry(value: ExpiryInput): Promise<void> {
    let expiry: StoredExpiry
    if (value === null) expiry = null
    else if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new SessionError('DATA', 'core', 'setExpiry got an invalid Date')
      expiry = value.toISOString()
    } else if (typeof value === 'number' && Number.isFinite(value)) expiry = Math.trunc(value)
    else throw new SessionError('DATA', 'core', `setExpiry takes seconds, a Date, 0 or null, not ${String(value)}`)
    const s = await loaded(this.#s)
    s.expiry = expiry
    s.expiryChanged = true
    s.modified = true
  }

  /** Seconds until the session expires if saved now (Django's `get_expiry_age()`). */
  async getExpiryAge(): Promise<number> {
    const s = await loaded(this.#s)
    return expiryAge(s.expiry, s.ctx.clock(), s.ctx.maxAge)
  }

  /** When the session expires if saved now (Django's `get_expiry_date()`), before any absolute cap. */
  async getExpiryDate(): Promise<Date> {
    const s = await loaded(this.#s)
    const now = s.ctx.clock()
    return new Date(now + expiryAge(s.expiry, now, s.ctx.maxAge) * 1000)
  }

  /** Whether the cookie ends when the browser closes (Django's `get_expire_at_browser_close()`). */
  async expireAtBrowserClose(): Promise<boolean> {
    const s = await loaded(this.#s)
    return expiresAtBrowserClose(s.expiry, s.ctx.expireAtBrowserClose)
  }

  /** Stores a marker to check on the next request whether the browser keeps cookies. */
  async setTestCookie(): Promise<void> {
    write(await loaded(this.#s), TEST_COOKIE_KEY, TEST_COOKIE_VALUE)
  }

  /** Whether the marker of `setTestCookie()` came back. */
  async testCookieWorked(): Promise<boolean> {
    return (await loaded(this.#s)).data.get(TEST_COOKIE_KEY) === TEST_COOKIE_VALUE
  }

  /** Removes the marker of `setTestCookie()`. */
  async deleteTestCookie(): Promise<void> {
    const s = await loaded(this.#s)
    if (s.data.has(TEST_COOKIE_KEY)) write(s, TEST_COOKIE_KEY, DELETED)
  }
}

const EMPTY: Map<string, unknown> = new Map()

function write(s: SessionState, key: string, value: unknown): void {
  if (value === DELETED) s.data.delete(key)
  else s.data.set(key, value)
  s.changes.set(key, value)
  s.modified = true
}

function checkValue(ctx: SessionContext, key: string, value: unknown): void {
  const { serializer } = ctx
  let problem: string | undefined
  if (serializer.check) problem = serializer.check(value)
  else {
    try {
      serializer.stringify({ [key]: value })
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error)
    }
  }
  if (problem !== undefined) {
    throw new SessionError(
      'DATA',
      'core',
      `cannot store session key ${JSON.stringify(key)} with the ${serializer.name} serializer: ${problem}`,
    )
  }
}

/** Parses the cookie once and sets the candidate key (engine stores: the cookie value when well-formed). @internal */
export function candidate(s: SessionState): IncomingCookie | null {
  if (s.incoming === undefined) {
    const { store, cookie } = s.ctx
    s.incoming = readSessionCookie(s.header, cookie.name, store.chunking === true)
    if (s.incoming !== null && store.revocable && store.wellFormed(s.incoming.value)) s.key = s.incoming.value
  }
  return s.incoming
}

/** No key and no data; before loading, whether the cookie names no possible session. @internal */
export function isEmpty(s: SessionState): boolean {
  if (s.loaded) return s.key === null && s.data.size === 0
  const incoming = candidate(s)
  return incoming === null || !s.ctx.store.wellFormed(incoming.value)
}

/** Loads the data once (concurrent callers share the read) and marks the session accessed. @internal */
export function loaded(s: SessionState): Promise<SessionState> | SessionState {
  s.accessed = true
  if (s.loaded) return s
  return (s.loading ??= load(s)).then(() => s)
}

async function load(s: SessionState): Promise<void> {
  const { store, emit, serializer } = s.ctx
  const incoming = candidate(s)
  s.key = null
  s.data = new Map()
  if (incoming !== null) {
    if (!store.wellFormed(incoming.value)) emit({ type: 'cookie.malformed', store: store.name })
    else {
      const now = s.ctx.clock()
      const found = await store.load(incoming.value, new Date(now))
      if (found === null || found.record.expiresAt.getTime() <= now) emit({ type: 'session.unknown', store: store.name })
      else {
        s.key = found.key
        s.stored = true
        s.version = found.record.version
        s.reissue = found.reissue === true
        try {
          const payload = decodePayload(serializer, found.record.payload)
          s.data = payload.data
          s.created = payload.created
          s.expiry = payload.expiry
        } catch (error) {
          emit({ type: 'session.corrupt', store: store.name, error })
          s.created = now
        }
      }
    }
  }
  s.loaded = true
}
