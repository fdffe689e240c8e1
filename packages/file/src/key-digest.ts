import * as crypto from 'node:crypto'

/** Node ≥ 20.12 has the one-shot `crypto.hash`, about twice as fast as `createHash` for a short input. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash

/**
 * The SHA-256 (lower-case hex) of a session key: the session file is named after it instead of the key, so a listing of the directory
 * yields no usable cookie. Keys carry ≈165 bits of entropy, so an unsalted fast hash cannot be reversed.
 */
export function keyDigest(key: string): string {
  return oneShot ? oneShot('sha256', key, 'hex') : crypto.createHash('sha256').update(key).digest('hex')
}
