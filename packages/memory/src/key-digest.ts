import { sha256 } from '@noble/hashes/sha256'

type NodeHash = (algorithm: string, data: string, encoding: 'latin1') => string

/**
 * Node's one-shot `crypto.hash` (about 0.7 µs here), reached through `process.getBuiltinModule` (Node ≥ 20.16)
 * rather than an import, so that a bundle for workers holds no Node built-in; elsewhere `undefined`.
 */
const nodeHash = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => { hash?: NodeHash } | undefined } }
).process?.getBuiltinModule?.('node:crypto')?.hash

const encoder = new TextEncoder()

/** The four 32-bit words of a {@link keyDigest}. */
export type KeyDigest = Int32Array

/** The words of a digest: 128 bits. */
export const DIGEST_WORDS = 4

/** A new, zeroed {@link KeyDigest} to write into. */
export const newKeyDigest = (): KeyDigest => new Int32Array(DIGEST_WORDS)

/** {@link keyDigest} in plain JavaScript (@noble/hashes): the same digest on every runtime (about 5 µs). */
export function keyDigestInJs(key: string, out: KeyDigest): KeyDigest {
  const bytes = sha256(encoder.encode(key))
  for (let w = 0; w < DIGEST_WORDS; w++) {
    const i = w * 4
    out[w] = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)
  }
  return out
}

/** {@link keyDigest} with Node's native hash: its 32 bytes as a one-byte string, the first 16 packed into words. */
function keyDigestInNode(hash: NodeHash): (key: string, out: KeyDigest) => KeyDigest {
  return (key, out) => {
    const bytes = hash('sha256', key, 'latin1')
    for (let w = 0; w < DIGEST_WORDS; w++) {
      const i = w * 4
      out[w] = bytes.charCodeAt(i) | (bytes.charCodeAt(i + 1) << 8) | (bytes.charCodeAt(i + 2) << 16) | (bytes.charCodeAt(i + 3) << 24)
    }
    return out
  }
}

/**
 * Writes the first 128 bits of the SHA-256 of a session key into `out` (four little-endian 32-bit words) and
 * returns it: what the cache is keyed by instead of the key, so a heap snapshot or a walk of the cache yields no
 * usable cookie. Keys carry ≈165 bits of entropy, so an unsalted fast hash cannot be reversed, and 128 bits leave
 * a guess that hits any of a million held sessions at 2⁻¹⁰⁸. Node's native hash where there is one,
 * {@link keyDigestInJs} on workers (the same words).
 */
export const keyDigest: (key: string, out: KeyDigest) => KeyDigest = nodeHash ? keyDigestInNode(nodeHash) : keyDigestInJs
