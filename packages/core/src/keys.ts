const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'
/** 252 = 7 × 36: bytes at or above it are rejected so every character is equally likely. */
const REJECT_FROM = 252
const KEY_LENGTH = 32
const KEY_PATTERN = /^[a-z0-9]{32}$/

/**
 * A new session key: 32 characters of `[a-z0-9]` (≈165 bits) from `crypto.getRandomValues`,
 * with rejection sampling so there is no modulo bias.
 */
export function generateSessionKey(): string {
  let key = ''
  const bytes = new Uint8Array(48)
  while (key.length < KEY_LENGTH) {
    crypto.getRandomValues(bytes)
    for (let i = 0; i < bytes.length && key.length < KEY_LENGTH; i++) {
      const byte = bytes[i]!
      if (byte < REJECT_FROM) key += ALPHABET[byte % 36]
    }
  }
  return key
}

/** Whether `value` has the grammar of a session key. Anything else never reaches an engine. */
export function isSessionKey(value: unknown): value is string {
  return typeof value === 'string' && value.length === KEY_LENGTH && KEY_PATTERN.test(value)
}
