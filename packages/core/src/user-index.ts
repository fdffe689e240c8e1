import type { SessionContext } from './context.js'
import type { EngineStats, SessionRecord, SessionStore } from './engine.js'
import { SessionError } from './errors.js'
import { isSessionHandle } from './handle.js'
import { decodePayload } from './payload.js'
import type { Session } from './session.js'
import { checkUserId, copyMetadata, type UserMetadata } from './user.js'

/** One of a user's live sessions, as `sessions.listFor` shows it (never the key: it is a secret). */
export interface UserSession {
  /** The session's non-secret handle: pass it to `sessions.destroyHandle` ("sign out that device"). */
  readonly handle: string
  /** When the session was signed in under its current key (a key cycle starts it again). */
  readonly created: Date
  /** When its data was last saved (a refresh of the expiry alone, `touch`, does not count). */
  readonly lastSaved: Date
  /** When it expires unless it is saved again. */
  readonly expires: Date
  /** What the app attached at `setUser` (a copy; `{}` when nothing). */
  readonly metadata: UserMetadata
  /** It is the session passed as `current` (the device asking). */
  readonly current: boolean
}

/** Options of `sessions.listFor`. */
export interface ListForOptions {
  /** The request's session (any object with its `handle`): its entry gets `current: true`. */
  current?: Pick<Session, 'handle'>
}

/** Options of `sessions.destroyAllFor`. */
export interface DestroyAllForOptions {
  /** Keep this session ("sign out everywhere else"): the request's `Session`, or a handle from `listFor`. */
  except?: Pick<Session, 'handle'> | string
}

/** A store with the user index. */
type IndexedStore = SessionStore & Required<Pick<SessionStore, 'listUser' | 'destroyUser'>>

/** The store, when it has the user index; otherwise `SessionError('CONFIG')` saying why and what to do instead. */
function indexed(store: SessionStore, what: string): IndexedStore {
  if (store.userIndex === true && store.listUser && store.destroyUser) return store as IndexedStore
  if (!store.revocable) {
    throw new SessionError(
      'CONFIG',
      'core',
      `${what} needs a store that finds a user's sessions, and ${JSON.stringify(store.name)} keeps each session in its cookie, where the server cannot revoke it. Record a per-user "valid after" time when the user signs out everywhere and reject older sessions in the store's isRevoked hook (see @sess/signed-cookie's README, "Signing a user out everywhere")`,
    )
  }
  throw new SessionError(
    'CONFIG',
    'core',
    `${what} needs an engine with the user index (capabilities.userIndex), and ${JSON.stringify(store.name)} has none: use @sess/memory, @sess/sqlite, @sess/file, @sess/postgres, @sess/redis or @sess/cached-db over one of them`,
  )
}

/** The handle `except` names: a session's (null when it has no key yet) or a handle string. A key or junk → `DATA`. */
function exceptHandle(except: DestroyAllForOptions['except']): string | null {
  if (except === undefined) return null
  if (typeof except === 'string') {
    if (isSessionHandle(except)) return except
    throw new SessionError(
      'DATA',
      'core',
      'destroyAllFor({ except }): a string must be a session handle (session.handle or one from listFor), never the session key',
    )
  }
  if (typeof except === 'object' && except !== null && 'handle' in except) {
    const { handle } = except
    if (handle === null || isSessionHandle(handle)) return handle
  }
  throw new SessionError('DATA', 'core', 'destroyAllFor({ except }) takes a Session or a session handle')
}

/** What `sessions.listFor` and friends need from `createSessions`. */
export interface UserIndexApi {
  listFor(userId: string, options?: ListForOptions): Promise<UserSession[]>
  destroyAllFor(userId: string, options?: DestroyAllForOptions): Promise<number>
  destroyHandle(userId: string, handle: string): Promise<boolean>
  stats(): Promise<EngineStats>
}

/** The user-index calls of one `createSessions()`. */
export function userIndexApi(ctx: SessionContext): UserIndexApi {
  const { store } = ctx
  const now = () => new Date(ctx.clock())
  return {
    async listFor(userId, options = {}) {
      checkUserId(userId, 'listFor()')
      const records = await indexed(store, 'sessions.listFor()').listUser(userId, now())
      const current = options.current?.handle ?? null
      const out: UserSession[] = []
      for (const record of records) {
        const entry = describe(ctx, record, userId, current)
        if (entry !== null) out.push(entry)
      }
      return out.sort(newestFirst)
    },
    async destroyAllFor(userId, options = {}) {
      checkUserId(userId, 'destroyAllFor()')
      const except = exceptHandle(options.except)
      const target = indexed(store, 'sessions.destroyAllFor()')
      return target.destroyUser(userId, except === null ? {} : { exceptHandle: except })
    },
    async destroyHandle(userId, handle) {
      checkUserId(userId, 'destroyHandle()')
      const target = indexed(store, 'sessions.destroyHandle()')
      if (!isSessionHandle(handle)) return false // names no session (e.g. a tampered form field)
      return (await target.destroyUser(userId, { handle })) > 0
    },
    async stats() {
      if (!store.stats) {
        throw new SessionError(
          'CONFIG',
          'core',
          `sessions.stats(): the store ${JSON.stringify(store.name)} cannot count its sessions (it has no stats())`,
        )
      }
      return store.stats(now())
    },
  }
}

/**
 * One listed record as the app sees it: the envelope only (user, times), never the data through the schema. A
 * payload that does not decode is reported as `session.corrupt` and left out.
 */
function describe(ctx: SessionContext, record: SessionRecord, userId: string, current: string | null): UserSession | null {
  let payload: ReturnType<typeof decodePayload>
  try {
    payload = decodePayload(ctx.serializer, record.payload)
  } catch (error) {
    ctx.emit({ type: 'session.corrupt', store: ctx.store.name, error })
    return null
  }
  const handle = record.handle!
  const user = payload.user
  return {
    handle,
    created: new Date(payload.created),
    lastSaved: new Date(payload.saved ?? payload.created),
    expires: new Date(record.expiresAt.getTime()),
    metadata: user !== null && user.id === userId ? copyMetadata(user.metadata) : {},
    current: handle === current,
  }
}

/** Newest `lastSaved` first; then newest `created`; then by handle, so the order is stable. */
function newestFirst(a: UserSession, b: UserSession): number {
  return (
    b.lastSaved.getTime() - a.lastSaved.getTime() ||
    b.created.getTime() - a.created.getTime() ||
    (a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0)
  )
}
