import type { EngineStats, SessionStore } from '@sess/core/engine'

/** One of a user's sessions as `sessions.listFor` returns it. */
export interface ListedSession {
  /** The non-secret handle (never the key). */
  handle: string
  /** When the session was first saved. */
  created: Date
  /** Its latest save. */
  lastSaved: Date
  /** When it ends unless saved again. */
  expires: Date
  /** What the app attached at login (`session.setUser(id, metadata)`). */
  metadata: Record<string, string | number | boolean | null>
}

/**
 * What `sess` uses of a `Sessions` object made by `createSessions`. Structural, so that a config module loading
 * its own copy of `@sess/core` (a CommonJS build, another version) is accepted.
 */
export interface CliSessions {
  /** The store the sessions live in (its `name`, `durable`, `revocable`, `purgeExpired`). */
  readonly store: SessionStore
  /** `true` when the store keeps a user index (`listFor`, `destroyAllFor`, `destroyHandle` work). */
  readonly userIndex?: boolean
  /** Present on every `Sessions` (part of the shape check; `sess` never loads a session). */
  load(cookieHeader: string | null | undefined): unknown
  /** Present on every `Sessions` (part of the shape check). */
  commit(session: never, options?: unknown): unknown
  /** `sess clear-expired`. */
  purgeExpired(): Promise<number>
  /** Called once after every command. */
  dispose(): Promise<void>
  /** `sess list` (absent in a `@sess/core` older than the user index). */
  listFor?(userId: string): Promise<ListedSession[]>
  /** `sess destroy [--except]`. */
  destroyAllFor?(userId: string, options?: { except?: string }): Promise<number>
  /** `sess destroy --handle`. */
  destroyHandle?(userId: string, handle: string): Promise<boolean>
  /** `sess stats`. */
  stats?(): Promise<EngineStats>
}

/** Whether `value` has the shape of a `Sessions` object made by `createSessions` (methods and a store). */
export function isSessions(value: unknown): value is CliSessions {
  if (typeof value !== 'object' || value === null) return false
  const s = value as Record<string, unknown>
  const store = s.store as Record<string, unknown> | null | undefined
  return (
    ['load', 'commit', 'purgeExpired', 'dispose'].every((method) => typeof s[method] === 'function') &&
    typeof store === 'object' &&
    store !== null &&
    typeof store.name === 'string'
  )
}
