import { SessionError } from '@sess/core/engine'

/** One sealing secret. `id` names it inside every seal, so seals made with it can be opened after it stops being the newest. */
export interface SignedCookieSecret {
  /** Letters, digits and `_` (iron's rule), at most 64 characters; unique in the list. */
  id: string
  /** At least 32 characters of high-entropy text (e.g. `openssl rand -base64 32`). Never logged. */
  password: string
}

/** Options of `signedCookie()`. */
export interface SignedCookieOptions {
  /**
   * The secrets. The first seals, every one unseals. A cookie read with a secret whose id is *older* than the
   * first one's ({@link isOlderSecretId}: `1` < `2` < `10`, `2026_01` < `2026_07`) is re-sealed with the first on
   * that response; one sealed with a newer id (another instance of the app is already on it, mid-rollout) is left
   * as it is, so two instances never re-seal each other's cookies back and forth. A single string is the secret
   * with id `1`.
   */
  secrets: string | readonly SignedCookieSecret[]
  /** Split a cookie over 4096 bytes into `name.0 … name.N` (at most 10). Default `false`: such a save fails with `COOKIE_TOO_LARGE`. */
  chunking?: boolean
  /**
   * Optional server-side revocation check, called on every load of a valid seal with the session key and what the
   * seal says about the session: its user (`session.setUser`) and when it was signed in (`created`). `true` → the
   * cookie reads as an empty session. If it throws, the request fails (`SessionError('ENGINE')`). With a per-user
   * "valid after" time this signs a user out everywhere (see the README):
   * `isRevoked: (_key, { userId, created }) => userId !== null && created !== null && created.getTime() < validAfter(userId)`.
   */
  isRevoked?: (key: string, session: RevocationInfo) => boolean | Promise<boolean>
  /**
   * Called with the old key when a session is flushed (logout) or its key is cycled (login), so an app can
   * deny-list it until its sealed expiry. If it throws, the request fails (`SessionError('ENGINE')`).
   */
  onDestroy?: (key: string) => void | Promise<void>
}

/**
 * What `isRevoked` learns about a sealed session, read from the envelope core wrote into the payload (computed only
 * when read). Both are `null` for a payload of a serializer other than core's JSON and rich ones.
 */
export interface RevocationInfo {
  /** The user the session is signed in as (`session.setUser`), or `null` for an anonymous session. */
  readonly userId: string | null
  /** When the session was signed in or first saved under its current key (a key cycle restarts it). */
  readonly created: Date | null
}

/** Validated secrets: the one that seals, every one by id, and the ids whose cookies are re-sealed when read. @internal */
export interface ResolvedSecrets {
  readonly current: SignedCookieSecret
  readonly byId: ReadonlyMap<string, string>
  /** The ids older than the sealing secret's: a cookie sealed with one of them is re-sealed on the response that reads it. */
  readonly resealFrom: ReadonlySet<string>
}

const ID = /^\w{1,64}$/
/** iron's minimum password length. */
export const MIN_PASSWORD_LENGTH = 32

/** Checks `secrets` (bad ones → `SessionError('CONFIG')`, never echoing a password). @internal */
export function resolveSecrets(secrets: unknown): ResolvedSecrets {
  const list = typeof secrets === 'string' ? [{ id: '1', password: secrets }] : secrets
  if (!Array.isArray(list) || list.length === 0) {
    throw config('secrets must be a password string or a non-empty list of { id, password }')
  }
  const byId = new Map<string, string>()
  list.forEach((secret: unknown, index) => {
    if (typeof secret !== 'object' || secret === null) throw config(`secrets[${index}] must be { id, password }`)
    const { id, password } = secret as Partial<SignedCookieSecret>
    if (typeof id !== 'string' || !ID.test(id)) throw config(`secrets[${index}].id must be 1–64 letters, digits or _`)
    if (byId.has(id)) throw config(`secrets[${index}].id ${JSON.stringify(id)} is used twice`)
    if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
      throw config(`the password of secret ${JSON.stringify(id)} must be a string of at least ${MIN_PASSWORD_LENGTH} characters`)
    }
    byId.set(id, password)
  })
  const first = list[0] as SignedCookieSecret
  const resealFrom = new Set([...byId.keys()].filter((id) => isOlderSecretId(id, first.id)))
  return { current: { id: first.id, password: first.password }, byId, resealFrom }
}

const RUNS = /\d+|\D+/g

/**
 * The order of secret ids, which decides re-sealing: `a` is older than `b` when it sorts before it in natural
 * order — runs of digits compare as whole numbers (`9` < `10`, `v2` < `v10`, `2026_01` < `2026_07`), other runs
 * by character code. Name ids so that a newer secret sorts after the one it replaces.
 */
export function isOlderSecretId(a: string, b: string): boolean {
  const x = a.match(RUNS) ?? []
  const y = b.match(RUNS) ?? []
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!
    const q = y[i]!
    if (p === q) continue
    const digits = /^\d/.test(p) && /^\d/.test(q)
    if (!digits) return p < q
    const m = p.replace(/^0+(?=\d)/, '')
    const n = q.replace(/^0+(?=\d)/, '')
    if (m.length !== n.length) return m.length < n.length
    if (m !== n) return m < n
    return p.length > q.length // same number: `01` before `1`, any order will do, it only has to be strict
  }
  return x.length < y.length
}

/** A `SessionError('CONFIG')` from this package. @internal */
export function config(message: string): SessionError {
  return new SessionError('CONFIG', 'signed-cookie', message)
}
