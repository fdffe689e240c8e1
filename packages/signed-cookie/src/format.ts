import { isSessionKey, type SessionRecord } from '@sess/core/engine'

/** The iron protocol prefix (Fe26 format, MAC format version 2), as in `@hapi/iron` and iron-webcrypto. */
export const IRON_PREFIX = 'Fe26.2'
/** The version of this package's sealed-record format: the `~1` trailer and the `v` field inside the seal. */
export const FORMAT_VERSION = 1

const TRAILER = `~${FORMAT_VERSION}`
/** Longer than core ever reassembles (10 chunks of 4 KiB): anything longer is junk, rejected before the regex runs. */
const MAX_SEAL_LENGTH = 48 * 1024
/**
 * `Fe26.2*<id>*<encryption salt>*<iv>*<ciphertext>*<expiration>*<hmac salt>*<hmac>~1`, strictly:
 * lower-case hex salts of 256 bits, canonical unpadded base64url for the 128-bit iv and the 256-bit
 * HMAC (their unused trailing bits must be zero, so no two spellings name the same bytes), no iron
 * expiration (the expiry is inside the seal, judged against the caller's clock).
 */
const SEAL =
  /^Fe26\.2\*(\w{1,64})\*([0-9a-f]{64})\*([A-Za-z0-9_-]{21}[AQgw])\*([A-Za-z0-9_-]{22,})\*\*([0-9a-f]{64})\*([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])~1$/
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** A seal split into its iron parts. */
export interface ParsedSeal {
  /** The seal without the `~1` trailer: what iron itself produces and reads. */
  readonly iron: string
  /** The id of the secret that sealed it. */
  readonly id: string
  readonly encryptionSalt: string
  readonly iv: string
  readonly ciphertext: string
  readonly hmacSalt: string
  readonly hmac: string
  /** `Fe26.2*id*salt*iv*ciphertext*expiration`: the text the HMAC covers. */
  readonly macBase: string
}

/**
 * The cheap, per-request shape check (prefix, trailer, length) that core runs even on requests that never
 * read the session. The strict grammar ({@link parseSeal}) runs when the session is loaded.
 */
export function looksSealed(value: string): boolean {
  return value.length <= MAX_SEAL_LENGTH && value.startsWith(`${IRON_PREFIX}*`) && value.endsWith(TRAILER)
}

/** Splits a cookie value into iron parts, or `null` when it is not exactly the grammar above. Synchronous and cheap. */
export function parseSeal(value: string): ParsedSeal | null {
  if (typeof value !== 'string' || value.length > MAX_SEAL_LENGTH || !value.endsWith(TRAILER)) return null
  const match = SEAL.exec(value)
  if (match === null) return null
  const [, id, encryptionSalt, iv, ciphertext, hmacSalt, hmac] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  if (!isCipherText(ciphertext)) return null
  const iron = value.slice(0, -TRAILER.length)
  return {
    iron,
    id,
    encryptionSalt,
    iv,
    ciphertext,
    hmacSalt,
    hmac,
    macBase: iron.slice(0, iron.length - hmacSalt.length - hmac.length - 2),
  }
}

/** Canonical unpadded base64url of a whole number of 16-byte AES blocks. */
function isCipherText(text: string): boolean {
  const rest = text.length % 4
  if (rest === 1) return false
  const bytes = Math.floor((text.length * 3) / 4)
  if (bytes === 0 || bytes % 16 !== 0) return false
  if (rest === 0) return true
  // 2 trailing characters carry 1 byte (4 unused bits), 3 carry 2 bytes (2 unused bits): unused bits must be 0.
  const last = B64URL.indexOf(text[text.length - 1]!)
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0
}

/** The plaintext inside a seal: the session key, core's payload, the expiry and the record version. */
interface SealedRecord {
  v: number
  k: string
  e: number
  n: number
  p: string
}

/** A record as the JSON text that gets sealed. */
export function encodeRecord(key: string, record: SessionRecord): string {
  const sealed: SealedRecord = { v: FORMAT_VERSION, k: key, e: record.expiresAt.getTime(), n: record.version, p: record.payload }
  return JSON.stringify(sealed)
}

/** The key and record inside an unsealed plaintext, or `null` when it is not JSON of the right shape and version. */
export function decodeRecord(plaintext: string): { key: string; record: SessionRecord } | null {
  let sealed: Partial<SealedRecord> | null
  try {
    sealed = JSON.parse(plaintext) as Partial<SealedRecord> | null
  } catch {
    return null
  }
  if (typeof sealed !== 'object' || sealed === null || sealed.v !== FORMAT_VERSION) return null
  const { k, e, n, p } = sealed
  if (!isSessionKey(k) || typeof p !== 'string' || !Number.isSafeInteger(e) || !Number.isSafeInteger(n) || n! < 1) return null
  return { key: k, record: { payload: p, expiresAt: new Date(e!), version: n! } }
}
