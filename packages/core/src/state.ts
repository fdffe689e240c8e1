import type { SessionContext } from './context.js'
import { readSessionCookie, type IncomingCookie } from './cookie.js'
import type { SessionRecord } from './engine.js'
import { SessionError } from './errors.js'
import type { StoredExpiry } from './expiry.js'
import type { SessionUser } from './user.js'

/** Marks a key this request deleted, in the change log. */
export const DELETED: unique symbol = Symbol('deleted')

/** A `modify` function: the next value from the current one. */
export type Modifier = (current: unknown) => unknown

/**
 * What the request's cookie names, parsed once:
 * - `none`: no session cookie;
 * - `malformed`: a cookie that fails the store's grammar (it names no possible session);
 * - `wellFormed`: a cookie the store may know.
 */
export type CookieKind = 'none' | 'malformed' | 'wellFormed'

/** Where the data is: not read yet, being read, or here. */
export type LoadPhase = 'unloaded' | 'loading' | 'loaded'

/**
 * What the store holds for this session, as far as this request knows:
 * - `none`: nothing (a new session, or one flushed): the next save creates a record under a fresh key;
 * - `stored`: a record under `key`, at `version`: the next save is a versioned update;
 * - `cycling`: as `stored`, but `cycleKey()` was called: the next save moves the data to a fresh key.
 */
export type RecordPhase = 'none' | 'stored' | 'cycling'

/**
 * How this request's changes meet a parallel request's save (the rebase after a version conflict):
 * - `keys`: the keys this request set or deleted are re-applied on top of the fresh data;
 * - `clear`: `clear()` or `flush()` ran: the fresh data is dropped, then this request's keys applied;
 * - `replace`: `modified = true` was set by hand: this request's whole data wins.
 */
export type MergeMode = 'keys' | 'clear' | 'replace'

/**
 * One session's whole mutable state during one request. `session.ts` (the public facade), `load.ts`,
 * `save.ts` and `commit.ts` work on it; nothing else does.
 */
export interface SessionState {
  readonly ctx: SessionContext
  /** The request's `Cookie` header. */
  readonly header: string | null | undefined
  /** The parsed session cookie; `undefined` until first needed (see {@link incomingCookie}). */
  incoming: IncomingCookie | null | undefined
  /** What the cookie names, valid once `incoming` is parsed. */
  cookieKind: CookieKind
  /** The current key: the cookie's (well-formed) key until loaded, then the verified key, or null. */
  key: string | null
  phase: LoadPhase
  loading: Promise<SessionState> | null
  /** Data calls made before the data was loaded that have not run yet: later calls queue behind them (`in-order.ts`). */
  waiting: number
  record: RecordPhase
  version: number
  data: Map<string, unknown>
  /** ms since the epoch when the session was first saved (for the absolute timeout). */
  created: number
  expiry: StoredExpiry
  /** This request's own writes since its last save: re-applied on top of a parallel request's save. */
  changes: Map<string, unknown>
  /** `modify` functions since the last save, per key, applied after `changes` and re-run on fresh data. */
  modifiers: Map<string, Modifier[]>
  merge: MergeMode
  expiryChanged: boolean
  /** The data was read or written during this request. */
  accessed: boolean
  /** The data was changed during this request (Django's `modified`; stays true after a save). */
  modified: boolean
  /** Something changed since the last save. */
  dirty: boolean
  /** The store asked for the cookie to be issued again (e.g. re-seal with the newest secret). */
  reissue: boolean
  /** The signed-in user (`setUser`), or null: kept in the payload envelope, passed to the store as `record.userId`. */
  user: SessionUser | null
  /** `setUser` ran since the last save: this request's user wins over a parallel request's in a rebase. */
  userChanged: boolean
  /** The last record this request saved: the response's cookie names it. */
  saved: SessionRecord | null
  /** A key whose record a failed cycle left behind: destroyed by the next save. */
  orphan: string | null
  /** The final commit (the one that goes with the response) has started: writes are refused. */
  final: boolean
  /** The tail of this session's saves and commits, which run one after another. */
  queue: Promise<unknown> | null
  /** With a schema: the data holds something no per-key check vouches for, so the whole data is checked before the next save. */
  unchecked: boolean
}

const EMPTY: Map<string, unknown> = new Map()
/**
 * The change log and `modify` list of a request that wrote nothing: shared and always empty (nothing writes to them),
 * so an untouched or read-only request allocates neither map; the first write makes the request's own.
 */
const NO_CHANGES: Map<string, unknown> = new Map()
const NO_MODIFIERS: Map<string, Modifier[]> = new Map()

/** A fresh state for a request's `Cookie` header. Nothing is parsed or read yet. */
export function createState(ctx: SessionContext, header: string | null | undefined): SessionState {
  return {
    ctx,
    header,
    incoming: undefined,
    cookieKind: 'none',
    key: null,
    phase: 'unloaded',
    loading: null,
    waiting: 0,
    record: 'none',
    version: 0,
    data: EMPTY,
    created: 0,
    expiry: null,
    changes: NO_CHANGES,
    modifiers: NO_MODIFIERS,
    merge: 'keys',
    expiryChanged: false,
    accessed: false,
    modified: false,
    dirty: false,
    reissue: false,
    user: null,
    userChanged: false,
    saved: null,
    orphan: null,
    final: false,
    queue: null,
    unchecked: true,
  }
}

/**
 * Parses the session cookie once and judges it — the one well-formedness check. For stores whose cookie
 * value is the key, a well-formed value becomes the candidate key.
 */
export function incomingCookie(s: SessionState): IncomingCookie | null {
  if (s.incoming === undefined) {
    const { store, cookie } = s.ctx
    const incoming = readSessionCookie(s.header, cookie.name, store.chunking === true)
    s.incoming = incoming
    if (incoming !== null) {
      s.cookieKind = store.wellFormed(incoming.value) ? 'wellFormed' : 'malformed'
      if (s.cookieKind === 'wellFormed' && store.revocable) s.key = incoming.value
    }
  }
  return s.incoming
}

/**
 * No key, no data and no user (Django's `is_empty()`; a sign-in without data is saved); before loading, whether the
 * cookie names no possible session.
 */
export function isEmpty(s: SessionState): boolean {
  if (s.phase === 'loaded') return s.key === null && s.data.size === 0 && s.user === null
  incomingCookie(s)
  return s.cookieKind !== 'wellFormed'
}

/**
 * Whether a commit has anything to do beyond the untouched fast path: the session was used, or every
 * request saves, or the cookie names no possible session (Django removes such a cookie).
 */
export function isTouched(s: SessionState): boolean {
  if (s.accessed || s.modified || s.ctx.saveEveryRequest) return true
  if (s.header == null) return false
  incomingCookie(s)
  return s.cookieKind === 'malformed'
}

/** Whether the data must be written now: it changed, or the store asked for a re-issue, or every request saves. */
export function needsSave(s: SessionState): boolean {
  return s.dirty || s.reissue || (s.ctx.saveEveryRequest && s.saved === null)
}

/** Refuses a write once the final commit has started: the response's headers are on their way. */
export function assertWritable(s: SessionState, what: string): void {
  if (s.final) throw committedError(what)
}

/** The error of a write (`what`) made after the final commit started. */
export function committedError(what: string): SessionError {
  return new SessionError(
    'COMMITTED',
    'core',
    `${what} after the session was committed with the response: the change could not be saved. Write before the response starts (before the first res.write or the middleware's end), or call await session.save() before streaming`,
  )
}

/** Records a write of `key` (a value, or {@link DELETED}) in the data and the change log. */
export function write(s: SessionState, key: string, value: unknown): void {
  if (value === DELETED) s.data.delete(key)
  else s.data.set(key, value)
  if (s.changes === NO_CHANGES) s.changes = new Map()
  s.changes.set(key, value)
  s.modifiers.delete(key)
  s.modified = true
  s.dirty = true
}

/** Records a `modify` of `key` whose new value is `value` (already computed with `fn` on the current data). */
export function writeModified(s: SessionState, key: string, fn: Modifier, value: unknown): void {
  s.data.set(key, value)
  const list = s.modifiers.get(key)
  if (list) list.push(fn)
  else {
    if (s.modifiers === NO_MODIFIERS) s.modifiers = new Map()
    s.modifiers.set(key, [fn])
  }
  s.modified = true
  s.dirty = true
}

/** Empties the data and this request's change log; a rebase then starts from empty data too (`clear()`). */
export function clearData(s: SessionState): void {
  s.data = new Map()
  s.changes.clear()
  s.modifiers.clear()
  s.merge = 'clear'
  s.modified = true
  s.dirty = true
}

/** Forgets the change log: everything in it was saved. */
export function markSaved(s: SessionState, record: SessionRecord): void {
  s.saved = record
  // V8's Map#clear allocates a new table even for an empty map; most saves have no modify() calls.
  if (s.changes.size > 0) s.changes.clear()
  if (s.modifiers.size > 0) s.modifiers.clear()
  s.merge = 'keys'
  s.expiryChanged = false
  s.userChanged = false
  s.dirty = false
  s.reissue = false
}

/** The key under which a `Session` keeps its state: reachable from core's modules, invisible to apps. */
export const STATE: unique symbol = Symbol('@sess/core session state')

/** Anything that carries a session state (a `Session`). */
export interface HasState {
  readonly [STATE]: SessionState
}

/**
 * Runs `task` after every earlier save or commit of this session has settled (they run one at a time);
 * resolves or rejects with it.
 */
export function enqueue<T>(s: SessionState, task: () => Promise<T>): Promise<T> {
  // The tail is the task's own promise: its caller handles a rejection, and the next task runs after it either way
  // (`then(task, task)`), so no extra promise per commit.
  const run = s.queue === null ? task() : s.queue.then(task, task)
  s.queue = run
  return run
}
