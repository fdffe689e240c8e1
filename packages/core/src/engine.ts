/** What an engine persists for one session. */
export interface SessionRecord {
  /** Opaque text made by core (the serialised data and its expiry policy). Engines store it verbatim. */
  payload: string
  /** When the record stops existing. A read at or after this instant is a miss. */
  expiresAt: Date
  /** Starts at 1 on `create`, +1 on every `update`: the compare-and-set token against lost updates. */
  version: number
  /**
   * The user the session is signed in as (`session.setUser`); absent for an anonymous session. Core writes it on
   * every `create`/`update` of a signed-in session and also keeps it inside `payload`, so engines without the
   * `userIndex` capability may ignore it. Engines with the capability index the record under it.
   */
  userId?: string
  /**
   * The session's non-secret handle (16 base64url characters derived from the key by core, see `sessionHandle`):
   * what a device list shows and `destroyUser` names a session by. Present whenever `userId` is.
   */
  handle?: string
}

/** Which of a user's sessions {@link SessionEngine.destroyUser} removes. */
export interface DestroyUserOptions {
  /** Only the session with this handle ("sign out that device"). */
  handle?: string
  /** Every session but the one with this handle ("sign out everywhere else"). */
  exceptHandle?: string
}

/** What {@link SessionEngine.stats} reports about the live records; `null` where the engine cannot tell. */
export interface EngineStats {
  /** Live records (`expiresAt > now`). */
  sessions: number
  /** The soonest `expiresAt` among them (`null` when there are none). */
  earliestExpiry: Date | null
  /** The latest `expiresAt` among them (`null` when there are none). */
  latestExpiry: Date | null
  /** Bytes the records take in the storage, or `null` when the engine cannot tell. */
  bytes: number | null
  /** Records of signed-in users (indexed by `userId`), or `null` without the `userIndex` capability. */
  signedIn: number | null
}

/** What an engine can do beyond the required methods. */
export interface EngineCapabilities {
  /** The data survives a restart of the process. */
  readonly durable: boolean
  /** `touch` is implemented (extend the expiry without rewriting the payload). */
  readonly touch: boolean
  /** `purgeExpired` is implemented (expired records are otherwise removed by the storage itself). */
  readonly purge: boolean
  /**
   * `listUser` and `destroyUser` are implemented: records are indexed by `userId`. Absent means `false`.
   * An engine declaring it must keep the index exact: a record that is destroyed, expired, cycled away or
   * moved to another user leaves its old user's listing at once, and index entries never outlive their records
   * for long (no unbounded growth).
   */
  readonly userIndex?: boolean
}

/**
 * Server-side storage of `key → record`. Core owns the whole session lifecycle; an engine only persists.
 * Engines never read the clock: core passes `now`. Every method may be called concurrently.
 */
export interface SessionEngine {
  /** Short name used in error messages, e.g. `sqlite`. */
  readonly name: string
  /** What the engine supports. */
  readonly capabilities: EngineCapabilities
  /** The live record, or `null` when the key is absent or `expiresAt <= now`. Never throws for a miss. Returns a copy. */
  read(key: string, now: Date): Promise<SessionRecord | null>
  /** Inserts a new record. Key already present (even expired but not purged) → `SessionError('KEY_CONFLICT')`. */
  create(key: string, record: SessionRecord): Promise<void>
  /**
   * Replaces a record. Key gone → `SessionError('NOT_FOUND')` (never resurrect a logged-out session).
   * With `ifVersion`, a stored version other than `ifVersion` → `SessionError('VERSION_CONFLICT')`.
   */
  update(key: string, record: SessionRecord, ifVersion?: number): Promise<void>
  /** Removes a record. Idempotent. */
  destroy(key: string): Promise<void>
  /** Moves `expiresAt` without rewriting the payload. A missing key is a no-op (never resurrects). */
  touch?(key: string, expiresAt: Date): Promise<void>
  /** Removes every record with `expiresAt <= now`; returns how many (Django's `clear_expired`). */
  purgeExpired?(now: Date): Promise<number>
  /**
   * The user's live records (`expiresAt > now`), each carrying `userId` and `handle`; in no particular order.
   * An unknown user → `[]`. Required when `capabilities.userIndex` is `true`.
   */
  listUser?(userId: string, now: Date): Promise<SessionRecord[]>
  /**
   * Removes the user's records — all of them, only `handle`, or all but `exceptHandle` — in one step, so that a
   * read of any of their keys afterwards is a miss. Returns how many were removed (expired ones may count).
   * Required when `capabilities.userIndex` is `true`.
   */
  destroyUser?(userId: string, options?: DestroyUserOptions): Promise<number>
  /** Counts of the live records, for operators (`sess stats`). May scan the storage: never called per request. */
  stats?(now: Date): Promise<EngineStats>
  /** Releases connections, timers and handles. Idempotent. */
  dispose?(): Promise<void>
}

/** The shape of every engine factory: options in, engine out. Bad options throw `SessionError('CONFIG')`. */
export type EngineFactory<Options = void> = (options: Options) => SessionEngine

/** What a store found behind a cookie value. */
export interface LoadedSession {
  /** The session key (for engine stores, the cookie value itself). */
  key: string
  /** The stored record. */
  record: SessionRecord
  /** The cookie must be issued again even if nothing changed (e.g. sealed with a rotated-out secret). */
  reissue?: boolean
}

/**
 * The store level: what `createSessions` talks to. An engine is adapted to it by core ({@link engineStore});
 * stores without server state (signed cookies) implement it directly: their cookie value *is* the record.
 */
export interface SessionStore {
  /** Short name used in error messages. */
  readonly name: string
  /** `true` when `destroy` makes a captured cookie useless; `false` for cookie-only stores. */
  readonly revocable: boolean
  /** `false` when the sessions live inside this process only (the memory engine): another process cannot reach them. */
  readonly durable?: boolean
  /** The cookie value may be split over `name.0 … name.N` cookies when it exceeds 4096 bytes. */
  readonly chunking?: boolean
  /** A cheap, synchronous grammar check of a cookie value; values that fail it never reach `load`. */
  wellFormed(cookieValue: string): boolean
  /** Resolves a cookie value to a live session, or `null` (malformed, forged, unknown, expired). Never throws for bad input. */
  load(cookieValue: string, now: Date): Promise<LoadedSession | null>
  /** Reads a key again after a version conflict. Cookie-only stores return `null`. */
  read(key: string, now: Date): Promise<SessionRecord | null>
  /** See {@link SessionEngine.create}. */
  create(key: string, record: SessionRecord): Promise<void>
  /** See {@link SessionEngine.update}. */
  update(key: string, record: SessionRecord, ifVersion: number): Promise<void>
  /** See {@link SessionEngine.destroy}. */
  destroy(key: string): Promise<void>
  /** See {@link SessionEngine.touch}. */
  touch?(key: string, expiresAt: Date): Promise<void>
  /** The cookie value that names a saved session (the key, or the sealed record). */
  cookieValue(key: string, record: SessionRecord): string | Promise<string>
  /** See {@link SessionEngine.purgeExpired}. */
  purgeExpired?(now: Date): Promise<number>
  /** `listUser`/`destroyUser` are implemented (see {@link EngineCapabilities.userIndex}). */
  readonly userIndex?: boolean
  /** See {@link SessionEngine.listUser}. */
  listUser?(userId: string, now: Date): Promise<SessionRecord[]>
  /** See {@link SessionEngine.destroyUser}. */
  destroyUser?(userId: string, options?: DestroyUserOptions): Promise<number>
  /** See {@link SessionEngine.stats}. */
  stats?(now: Date): Promise<EngineStats>
  /** See {@link SessionEngine.dispose}. */
  dispose?(): Promise<void>
}
