import { sha256 } from '@noble/hashes/sha256'

const encoder = new TextEncoder()

/**
 * The SHA-256 (base64, 44 characters) of a session key: what the cache is keyed by instead of the key, so a heap
 * snapshot or a walk of the cache yields no usable cookie. Keys carry ≈165 bits of entropy, so an unsalted fast
 * hash cannot be reversed. Pure JavaScript (@noble/hashes), synchronous, and free of Node built-ins, so the engine
 * runs on workers too (a `node:crypto` import broke the workerd bundle).
 */
export function keyDigest(key: string): string {
  const digest = sha256(encoder.encode(key))
  let binary = ''
  for (let i = 0; i < digest.length; i++) binary += String.fromCharCode(digest[i]!)
  return btoa(binary)
}
