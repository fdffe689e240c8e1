import type { ParsedSeal } from './format.js'

/**
 * One implementation of the iron seal (Fe26.2, AES-256-CBC + HMAC-SHA256, keys from PBKDF2-SHA1 with one
 * iteration over a random 256-bit salt each, as iron's defaults). Both implementations produce the same
 * bytes from the same random input. @internal
 */
export interface Sealer {
  /** `webcrypto` (iron-webcrypto, every runtime) or `node:crypto` (synchronous, Node only). */
  readonly implementation: 'webcrypto' | 'node:crypto'
  /** Encrypts and authenticates `plaintext`; returns the iron string (without this package's `~1` trailer). */
  seal(plaintext: string, id: string, password: string): string | Promise<string>
  /** The plaintext of a seal whose grammar was checked, or `null` when it does not verify. May throw on junk. */
  unseal(seal: ParsedSeal, password: string): string | null | Promise<string | null>
}
