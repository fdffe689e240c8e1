import { createHash, hash } from 'node:crypto'

const DIGEST = /^[0-9a-f]{64}$/

/** How the engine names things in Redis, under one prefix. */
export interface Names {
  /** The Redis key of a session: the prefix and the SHA-256 (hex) of the session key. */
  session(key: string): string
  /** The Redis key of the session whose digest is `digest`. */
  ofDigest(digest: string): string
  /** The SHA-256 (hex) part of a session's Redis key. */
  digest(redisKey: string): string
  /**
   * The Redis key of a user's index (a sorted set): the prefix, `u:` and the SHA-256 (hex) of the user id as a hash
   * tag, so the whole set lives in one Cluster slot and the raw id appears in no key name.
   */
  user(userId: string): string
  /** Whether a key found under the prefix names a session (and not an index). */
  isSession(redisKey: string): boolean
}

/** The {@link Names} under `prefix`. */
export function names(prefix: string): Names {
  // Node's one-shot hash (≥ 20.12) where there is one: no Hash object per key.
  const sha =
    typeof hash === 'function'
      ? (text: string): string => hash('sha256', text, 'hex')
      : (text: string): string => createHash('sha256').update(text).digest('hex')
  return {
    session: (key) => prefix + sha(key),
    ofDigest: (digest) => prefix + digest,
    digest: (redisKey) => redisKey.slice(prefix.length),
    user: (userId) => `${prefix}u:{${sha(userId)}}`,
    isSession: (redisKey) => redisKey.startsWith(prefix) && DIGEST.test(redisKey.slice(prefix.length)),
  }
}

/** An index member: the session's encoded handle and its digest (`handle:digest`), so `destroyUser` can pick by handle. */
export function member(handle: string, digest: string): string {
  return `${handle}:${digest}`
}

/** The encoded handle and the digest of an index member, or `null` for a member this engine did not write. */
export function parseMember(text: string): { handle: string; digest: string } | null {
  const colon = text.lastIndexOf(':')
  const digest = text.slice(colon + 1)
  if (colon < 0 || !DIGEST.test(digest)) return null
  return { handle: text.slice(0, colon), digest }
}
