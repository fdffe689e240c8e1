import { randomFillSync } from 'node:crypto'

/** Bytes of entropy fetched per refill: one `randomFillSync` call serves about a hundred names. */
const POOL_BYTES = 1024

const pool = Buffer.allocUnsafe(POOL_BYTES)
let offset = POOL_BYTES

/**
 * `bytes` fresh random bytes from the OS CSPRNG, taken from a pooled buffer: a `randomBytes()` call per temp file
 * or lock token cost 2–3 % of the event loop on a save-heavy load. Every byte is used once.
 */
function take(bytes: number): Buffer {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool)
    offset = 0
  }
  const slice = pool.subarray(offset, offset + bytes)
  offset += bytes
  return slice
}

/** `bytes` random bytes as lower-case hex (temp file names, set-aside lock names). */
export function randomHex(bytes: number): string {
  return take(bytes).toString('hex')
}

/** `bytes` random bytes as base64url (lock tokens). */
export function randomBase64url(bytes: number): string {
  return take(bytes).toString('base64url')
}
