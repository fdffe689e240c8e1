import type { ResolvedCookie } from './cookie.js'
import type { SessionStore } from './engine.js'
import type { SessionEvent } from './events.js'
import type { KeyLocks } from './key-locks.js'
import type { SessionSchema } from './schema.js'
import type { SessionSerializer } from './serializer.js'

/** Everything a Session needs from `createSessions`, validated once at start-up. @internal */
export interface SessionContext {
  readonly store: SessionStore
  readonly cookie: ResolvedCookie
  readonly serializer: SessionSerializer
  /** Seconds. */
  readonly maxAge: number
  /** Seconds, or null for no absolute limit. */
  readonly absoluteMaxAge: number | null
  readonly expireAtBrowserClose: boolean
  readonly saveEveryRequest: boolean
  readonly maxConflictRetries: number
  /** ms since the epoch. */
  readonly clock: () => number
  readonly emit: (event: SessionEvent) => void
  /** Per-key queues of this process's saves. */
  readonly locks: KeyLocks
  /** The `schema` option, checked at start-up, or null. */
  readonly schema: SessionSchema | null
}
