import { defaults, seal, unseal, type SealOptions } from 'iron-webcrypto'
import type { Sealer } from './sealer.js'

/** iron's defaults, with the plaintext passed through as is (it is already JSON text). */
const OPTIONS: SealOptions = { ...defaults, encode: (text) => text as string, decode: (text) => text }

/** The iron seal on iron-webcrypto: Web Crypto only, so it runs on Node, Bun, Deno, browsers and workers. @internal */
export const webSealer: Sealer = {
  implementation: 'webcrypto',
  seal: (plaintext, id, password) => seal(plaintext, { id, secret: password }, OPTIONS),
  async unseal(parsed, password) {
    try {
      return (await unseal(parsed.iron, { [parsed.id]: password }, OPTIONS)) as string
    } catch {
      return null
    }
  },
}
