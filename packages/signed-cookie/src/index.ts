/**
 * @module @sess/signed-cookie
 * Sealed cookie sessions: the session data travels in the cookie, encrypted and authenticated with iron
 * (Fe26.2). This entry uses iron-webcrypto (Web Crypto only) and runs on every runtime; under Node the
 * package's `node` export condition loads the same format on `node:crypto` instead.
 */
import type { SignedCookieOptions } from './options.js'
import { createSignedCookieStore, type SignedCookieStore } from './store.js'
import { webSealer } from './web-sealer.js'

export type { SignedCookieOptions, SignedCookieSecret, RevocationInfo } from './options.js'
export { isOlderSecretId } from './options.js'
export type { SignedCookieStore } from './store.js'

/**
 * A session store whose cookie value is the session itself, sealed with the first of `secrets`.
 * There is no server state: `flush()` expires the cookie but a copy captured earlier stays valid
 * until its sealed expiry, unless `isRevoked` rejects it. Bad options → `SessionError('CONFIG')`.
 *
 * @example
 * ```ts
 * const sessions = createSessions({ engine: signedCookie({ secrets: process.env.SESSION_SECRET! }) })
 * ```
 */
export function signedCookie(options: SignedCookieOptions): SignedCookieStore {
  return createSignedCookieStore(webSealer, options)
}
