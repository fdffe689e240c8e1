import { commitSession, type CommitOptions, type SessionHeaders } from './commit.js'
import type { SessionContext } from './context.js'
import { resolveCookie, type CookieOptions, type ResolvedCookie } from './cookie.js'
import type { EngineStats, SessionEngine, SessionStore } from './engine.js'
import { engineStore, isSessionStore } from './engine-store.js'
import { SessionError } from './errors.js'
import type { SessionEvent, SessionEventListener } from './events.js'
import { createKeyLocks } from './key-locks.js'
import { isSessionKey } from './keys.js'
import { resolveSchema, type OnInvalid } from './schema.js'
import { jsonSerializer, type SessionSerializer } from './serializer.js'
import { Session, type SessionData } from './session.js'
import type { InferSchemaOutput, StandardSchemaV1 } from './standard-schema.js'
import { userIndexApi, type DestroyAllForOptions, type ListForOptions, type UserSession } from './user-index.js'

/** Options of {@link createSessions}. Defaults are Django's. */
export interface SessionsOptions {
  /** Where sessions live: an engine (`sqliteEngine()`, `memoryEngine()`, …) or a cookie store (`signedCookie()`). */
  engine: SessionEngine | SessionStore
  /** Seconds a session lives without being saved (Django's `SESSION_COOKIE_AGE`). Default 1209600 (two weeks). */
  maxAge?: number
  /** Seconds a session key may live at most, however active (absolute timeout). Default `null`: none. */
  absoluteMaxAge?: number | null
  /** Cookies end when the browser closes (Django's `SESSION_EXPIRE_AT_BROWSER_CLOSE`). Default `false`. */
  expireAtBrowserClose?: boolean
  /** Save on every request that has a session, renewing the idle expiry (Django's `SESSION_SAVE_EVERY_REQUEST`). Default `false`. */
  saveEveryRequest?: boolean
  /** Alias of `saveEveryRequest` (express-session's name). */
  rolling?: boolean
  /** Cookie attributes. */
  cookie?: CookieOptions
  /** How data becomes text. Default: strict JSON. `richSerializer` from `@sess/core/rich` keeps `Date`, `Map`, `BigInt`… */
  serializer?: SessionSerializer
  /**
   * A Standard Schema v1 object schema (zod 4, valibot 1, arktype 2…) the data must match; `Data` is inferred from it.
   * Loaded data that fails it is never handed to the app (see `onInvalid`); a write that fails it rejects with
   * `SessionError('DATA')` and nothing is saved. What is stored is the schema's output. Default: none.
   */
  schema?: StandardSchemaV1<SessionData, SessionData>
  /** What a load does with stored data that fails `schema`: `'reset'` (an empty session; default) or `'error'` (`SessionError('DATA')`). Both emit `session.invalid`. */
  onInvalid?: OnInvalid
  /** The clock, for tests. Default `() => new Date()`. */
  now?: () => Date | number
  /** Receives {@link SessionEvent}s (malformed cookies, unknown keys, conflicts…). */
  onEvent?: SessionEventListener
  /** How often a save re-applies its changes after a parallel save before failing with `VERSION_CONFLICT`; retries after the first wait a random, growing pause (up to 64 ms). Default 64. */
  maxConflictRetries?: number
}

/** The session layer for one app: made once at start-up, used by the framework binding on every request. */
export interface Sessions<Data extends SessionData = SessionData> {
  /** The validated cookie settings. */
  readonly cookie: ResolvedCookie
  /** The store sessions live in. */
  readonly store: SessionStore
  /** The session for a request's `Cookie` header. Lazy: nothing is read until the data is. */
  load(cookieHeader: string | null | undefined): Session<Data>
  /**
   * Saves the session if needed and returns the headers to add. Call it after the handler, before the
   * response is sent. Rejects with `SessionError` when the save fails (`status` 500) or the session
   * was ended by a parallel request (`NOT_FOUND`, `status` 400).
   */
  commit(session: Session<Data>, options?: CommitOptions): Promise<SessionHeaders> | SessionHeaders
  /** Whether a live session has this key (Django's `exists`). */
  exists(key: string): Promise<boolean>
  /** Removes expired sessions from stores that need it; returns how many (Django's `clear_expired`). */
  purgeExpired(): Promise<number>
  /**
   * The store finds a user's sessions (its engine has `capabilities.userIndex`): `listFor`, `destroyAllFor` and
   * `destroyHandle` work. `false` for engines without the index and for cookie stores (they then reject with
   * `SessionError('CONFIG')`).
   */
  readonly userIndex: boolean
  /**
   * The user's live sessions (those signed in with `session.setUser(userId)`), newest `lastSaved` first — a device
   * list. Each shows its non-secret `handle`, never the key; `current` marks the session given as `current`. Reads
   * only the envelope of each record (user, times), never the data. A bad id → `SessionError('DATA')`; a store
   * without the index → `SessionError('CONFIG')`.
   */
  listFor(userId: string, options?: ListForOptions): Promise<UserSession[]>
  /**
   * Ends the user's sessions — all of them, or all but `except` (the request's session or a handle): "sign out
   * everywhere (else)", after a password change or when an account is locked. Afterwards every one of those cookies
   * reads as an empty session at once. Resolves with how many were removed. Same errors as `listFor`; an `except`
   * string that is not a handle → `SessionError('DATA')` (never the key).
   */
  destroyAllFor(userId: string, options?: DestroyAllForOptions): Promise<number>
  /**
   * Ends one session of the user, named by its handle from `listFor` ("sign out that device"). `false` when the
   * user has no session with that handle (a malformed handle names none). Same errors as `listFor`.
   */
  destroyHandle(userId: string, handle: string): Promise<boolean>
  /** Counts of the live sessions, for operators (may scan the storage). Rejects `SessionError('CONFIG')` when the store cannot tell. */
  stats(): Promise<EngineStats>
  /** Releases the store's resources. */
  dispose(): Promise<void>
}

/** The session `Data` a schema describes: its output type. */
export type SchemaData<Schema extends StandardSchemaV1> = InferSchemaOutput<Schema> extends SessionData ? InferSchemaOutput<Schema> : never

const TWO_WEEKS = 1_209_600
/** 400 days: browsers keep no cookie longer, so a larger `maxAge` is surely milliseconds. */
const MAX_AGE_LIMIT = 400 * 24 * 60 * 60

/**
 * Creates the session layer. Options are validated here, once: bad ones throw `SessionError('CONFIG')`.
 *
 * @example
 * ```ts
 * const sessions = createSessions<{ user?: string }>({ engine: sqliteEngine({ path: 'sessions.db' }) })
 * const session = sessions.load(request.headers.get('cookie'))
 * await session.set('user', 'ada')
 * const { setCookie, vary } = await sessions.commit(session)
 * ```
 * With a schema, `Data` is inferred from it:
 * ```ts
 * const sessions = createSessions({ engine, schema: z.object({ user: z.string().optional(), lastVisit: z.date().optional() }), serializer: richSerializer })
 * ```
 */
export function createSessions<Schema extends StandardSchemaV1<SessionData, SessionData>>(
  options: SessionsOptions & { schema: Schema },
): Sessions<SchemaData<Schema>>
export function createSessions<Data extends SessionData = SessionData>(options: SessionsOptions): Sessions<Data>
export function createSessions(options: SessionsOptions): Sessions<SessionData> {
  if (typeof options !== 'object' || options === null) throw new SessionError('CONFIG', 'core', 'createSessions needs an options object')
  const { engine } = options
  if (typeof engine !== 'object' || engine === null)
    throw new SessionError('CONFIG', 'core', 'createSessions needs an engine (e.g. sqliteEngine()) or a store (e.g. signedCookie())')
  const store = isSessionStore(engine) ? engine : checkedEngineStore(engine, options.onEvent)
  const maxAge = positiveSeconds('maxAge', options.maxAge ?? TWO_WEEKS)
  const absoluteMaxAge = options.absoluteMaxAge == null ? null : positiveSeconds('absoluteMaxAge', options.absoluteMaxAge)
  const maxConflictRetries = options.maxConflictRetries ?? 64
  if (!Number.isInteger(maxConflictRetries) || maxConflictRetries < 0)
    throw new SessionError('CONFIG', 'core', 'maxConflictRetries must be a whole number ≥ 0')
  const serializer = options.serializer ?? jsonSerializer
  if (typeof serializer.stringify !== 'function' || typeof serializer.parse !== 'function') {
    throw new SessionError('CONFIG', 'core', 'serializer needs stringify and parse functions')
  }
  const now = options.now
  const clock = now ? () => +now() : Date.now
  const listener = options.onEvent
  const ctx: SessionContext = {
    store,
    cookie: resolveCookie(options.cookie),
    serializer,
    maxAge,
    absoluteMaxAge,
    expireAtBrowserClose: options.expireAtBrowserClose ?? false,
    saveEveryRequest: options.saveEveryRequest ?? options.rolling ?? false,
    maxConflictRetries,
    clock,
    emit: listener
      ? (event: SessionEvent) => {
          try {
            listener(event)
          } catch {
            // A listener must not break a request.
          }
        }
      : () => {},
    locks: createKeyLocks(),
    schema: options.schema === undefined ? null : resolveSchema(options.schema, options.onInvalid),
  }
  const users = userIndexApi(ctx)
  return {
    cookie: ctx.cookie,
    store,
    userIndex: store.userIndex === true,
    listFor: users.listFor,
    destroyAllFor: users.destroyAllFor,
    destroyHandle: users.destroyHandle,
    stats: users.stats,
    load: (cookieHeader) => new Session(ctx, cookieHeader),
    commit: commitSession,
    async exists(key) {
      return isSessionKey(key) && (await store.read(key, new Date(clock()))) !== null
    },
    async purgeExpired() {
      return store.purgeExpired ? store.purgeExpired(new Date(clock())) : 0
    },
    async dispose() {
      await store.dispose?.()
    },
  }
}

function checkedEngineStore(engine: SessionEngine, onEvent: SessionEventListener | undefined): SessionStore {
  for (const method of ['read', 'create', 'update', 'destroy'] as const) {
    if (typeof engine[method] !== 'function') {
      throw new SessionError('CONFIG', 'core', `the engine ${JSON.stringify(engine.name)} has no ${method}() method`)
    }
  }
  return engineStore(engine, onEvent ? { onEvent } : {})
}

function positiveSeconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SessionError('CONFIG', 'core', `${name} must be a positive number of seconds, not ${String(value)}`)
  }
  if (value > MAX_AGE_LIMIT) {
    throw new SessionError(
      'CONFIG',
      'core',
      `${name} is ${value}: seconds, not milliseconds (express-session's cookie.maxAge is in ms; browsers keep a cookie at most 400 days = ${MAX_AGE_LIMIT} s)`,
    )
  }
  return value
}
