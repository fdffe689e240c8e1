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

/**
 * The SHA-256 (lower-case hex) naming a user's index file: never the user id itself, which may be an e-mail
 * address. The id is hashed as its JSON string, which keeps every JavaScript string apart (UTF-8 would map all
 * lone surrogates to one character), behind a label that keeps the name apart from any key's digest.
 */
export function userDigest(userId: string): string {
  return keyDigest(`sess.user:${JSON.stringify(userId)}`)
}
