/**
 * @module @sess/signed-cookie
 * The Node build of `@sess/signed-cookie` (selected by the `node` export condition): the same iron seal
 * (Fe26.2) on synchronous `node:crypto`, byte-compatible with the iron-webcrypto build used elsewhere.
 */
import { createNodeSealer } from './node-sealer.js'
import type { SignedCookieOptions } from './options.js'
import { createSignedCookieStore, type SignedCookieStore } from './store.js'

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
  return createSignedCookieStore(createNodeSealer(), options)
}
