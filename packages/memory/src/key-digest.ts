import * as crypto from 'node:crypto'

/** Node ≥ 20.12 has the one-shot `crypto.hash`, about twice as fast as `createHash` for a short input. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'base64') => string }).hash

/**
 * The SHA-256 (base64, 44 characters) of a session key: what the cache is keyed by instead of the key, so a heap
 * snapshot or a walk of the cache yields no usable cookie. Keys carry ≈165 bits of entropy, so an unsalted fast
 * hash cannot be reversed. Costs about 0.4 µs (Node ≥ 20.12) to 1.3 µs per call.
 */
export function keyDigest(key: string): string {
  return oneShot ? oneShot('sha256', key, 'base64') : crypto.createHash('sha256').update(key).digest('base64')
}
