import { ownKey } from './keys.js'
import { sha256 } from '@noble/hashes/sha256'

const encoder = new TextEncoder()

type NodeHash = (algorithm: string, data: string, encoding: 'base64url') => string

/**
 * Node's one-shot `crypto.hash` (under 1 µs), reached through `process.getBuiltinModule` (Node ≥ 20.16) rather than
 * an import, so that core holds no Node built-in and a bundle for workers sees none; elsewhere `undefined`.
 */
const nodeHash = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => { hash?: NodeHash } | undefined } }
).process?.getBuiltinModule?.('node:crypto')?.hash
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
/** 16 base64url characters: 96 bits, so two sessions of one user never share a handle. */
const HANDLE_LENGTH = 16
const HANDLE_PATTERN = /^[A-Za-z0-9_-]{16}$/

/**
 * The non-secret handle of a session key: the first 96 bits of SHA-256(`"sess.handle:" + key`) in base64url
 * (16 characters). It names a session in a device list and in `destroyHandle` without revealing the key: the
 * hash cannot be reversed (keys carry ≈165 bits of entropy), and the prefix keeps it apart from the SHA-256 of the
 * key that engines store at rest, so a handle cannot be matched to a stored row either. Synchronous on every
 * runtime: Node's native hash where there is one, {@link sessionHandleInJs} elsewhere (the same result).
 */
export const sessionHandle: (key: string) => string = nodeHash
  ? // 12 bytes = 16 characters; copied, so a handle kept in memory does not hold the whole 43-character digest
    (key) => ownKey(nodeHash('sha256', `sess.handle:${key}`, 'base64url').slice(0, HANDLE_LENGTH))
  : sessionHandleInJs

/** {@link sessionHandle} in plain JavaScript (@noble/hashes, about 5 µs): for runtimes without Node's `crypto.hash`. */
export function sessionHandleInJs(key: string): string {
  const digest = sha256(encoder.encode(`sess.handle:${key}`))
  const codes = new Array<number>(HANDLE_LENGTH)
  // 12 bytes → 16 characters, 6 bits each.
  for (let i = 0, c = 0; i < 12; i += 3) {
    const n = (digest[i]! << 16) | (digest[i + 1]! << 8) | digest[i + 2]!
    codes[c++] = BASE64URL.charCodeAt(n >>> 18)
    codes[c++] = BASE64URL.charCodeAt((n >>> 12) & 63)
    codes[c++] = BASE64URL.charCodeAt((n >>> 6) & 63)
    codes[c++] = BASE64URL.charCodeAt(n & 63)
  }
  return String.fromCharCode(...codes)
}

/** Whether `value` has the grammar of a session handle (16 base64url characters). */
export function isSessionHandle(value: unknown): value is string {
  return typeof value === 'string' && HANDLE_PATTERN.test(value)
}
