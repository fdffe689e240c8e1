import type { DecodeFailure } from './record.js'

/** The name of a session file after the prefix, and of an index entry: the SHA-256 (hex) of its key. */
export const DIGEST = /^[0-9a-f]{64}$/

/**
 * The on-disk form of one user's index: `{"sessions":["<digest>",…]}`, the digests of the session files that
 * belong to the user (what the session files are named after; never a key). The handles, expiries and the user
 * id itself live in the session files, which every listing reads anyway to check the entries.
 */
export function encodeIndex(ids: ReadonlySet<string>): string {
  return JSON.stringify({ sessions: [...ids] })
}

/** Decodes an index file's text, or says why it is not one. Never throws. */
export function decodeIndex(text: string): Set<string> | DecodeFailure {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { reason: text.length === 0 ? 'user index file is empty' : 'user index file is not valid JSON', error }
  }
  const sessions = typeof value === 'object' && value !== null ? (value as { sessions?: unknown }).sessions : undefined
  if (!Array.isArray(sessions) || !sessions.every((id) => typeof id === 'string' && DIGEST.test(id))) {
    return { reason: 'user index file has no list of session digests' }
  }
  return new Set(sessions as string[])
}
