const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** The alphabet's character codes, looked up per byte. */
const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0))
/** 252 = 7 × 36: bytes at or above it are rejected so every character is equally likely. */
const REJECT_FROM = 252
const KEY_LENGTH = 32

/**
 * A new session key: 32 characters of `[a-z0-9]` (≈165 bits) from `crypto.getRandomValues`,
 * with rejection sampling so there is no modulo bias.
 *
 * The key is built in one piece (`String.fromCharCode` over all 32 codes), so V8 holds it as one flat string:
 * appending a character at a time makes a tree of string nodes that costs ~600 B more per key held in memory
 * and must be flattened again by every hash of the key.
 */
export function generateSessionKey(): string {
  const codes = new Array<number>(KEY_LENGTH)
  const bytes = new Uint8Array(48)
  let n = 0
  while (n < KEY_LENGTH) {
    crypto.getRandomValues(bytes)
    for (let i = 0; i < bytes.length && n < KEY_LENGTH; i++) {
      const byte = bytes[i]!
      if (byte < REJECT_FROM) codes[n++] = CODES[byte % 36]!
    }
  }
  return String.fromCharCode.apply(null, codes)
}

/**
 * A copy of a key that holds nothing else: a key sliced out of a `Cookie` header is, in V8, a view that keeps the
 * whole header alive for as long as the key is held (in a map of this process). Keys are ASCII.
 */
export function ownKey(key: string): string {
  const codes = new Array<number>(key.length)
  for (let i = 0; i < key.length; i++) codes[i] = key.charCodeAt(i)
  return String.fromCharCode.apply(null, codes)
}

/**
 * Whether `value` has the grammar of a session key (32 × `[a-z0-9]`). Anything else never reaches an engine.
 * A loop over the character codes, not a regular expression: V8 keeps the subject of the last match of a realm
 * alive, which would leave the last request's key (and the Cookie header it was sliced from) in the heap.
 */
export function isSessionKey(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== KEY_LENGTH) return false
  for (let i = 0; i < KEY_LENGTH; i++) {
    const code = value.charCodeAt(i)
    // a–z or 0–9
    if (!((code >= 97 && code <= 122) || (code >= 48 && code <= 57))) return false
  }
  return true
}
