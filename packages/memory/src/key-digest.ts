import { sha256 } from '@noble/hashes/sha256'

type NodeHash = (algorithm: string, data: string, encoding: 'base64') => string

/**
 * Node's one-shot `crypto.hash` (about 0.7 µs here), reached through `process.getBuiltinModule` (Node ≥ 20.16)
 * rather than an import, so that a bundle for workers holds no Node built-in; elsewhere `undefined`.
 */
const nodeHash = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => { hash?: NodeHash } | undefined } }
).process?.getBuiltinModule?.('node:crypto')?.hash

const encoder = new TextEncoder()

/** SHA-256 in base64 in plain JavaScript (@noble/hashes): the same digest on every runtime (about 5 µs). */
export function keyDigestInJs(key: string): string {
  const digest = sha256(encoder.encode(key))
  let binary = ''
  for (let i = 0; i < digest.length; i++) binary += String.fromCharCode(digest[i]!)
  return btoa(binary)
}

/**
 * The SHA-256 (base64, 44 characters) of a session key: what the cache is keyed by instead of the key, so a heap
 * snapshot or a walk of the cache yields no usable cookie. Keys carry ≈165 bits of entropy, so an unsalted fast
 * hash cannot be reversed. Node's native hash where there is one, {@link keyDigestInJs} on workers.
 */
export const keyDigest: (key: string) => string = nodeHash ? (key) => nodeHash('sha256', key, 'base64') : keyDigestInJs
