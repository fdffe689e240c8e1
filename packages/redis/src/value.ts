import { SessionError, type SessionRecord } from '@sess/core/engine'

/** Width of the zero-padded expiry at the start of every value (ms since the epoch; up to the year 33658). */
export const EXPIRY_WIDTH = 15
const MAX_EXPIRY = 10 ** EXPIRY_WIDTH - 1
const HEADER = /^(\d{15}):(\d{1,15}):/

/**
 * The expiry as the fixed-width text stored at offset 0 (so `touch` can rewrite it in place with SETRANGE).
 * An expiry before 1970 or after the year 33658 is refused with `SessionError('DATA')`.
 */
export function expiryText(expiresAt: Date): string {
  const ms = expiresAt.getTime()
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > MAX_EXPIRY) {
    throw new SessionError('DATA', 'redis', `expiresAt ${String(expiresAt)} is outside what Redis can store`)
  }
  return String(ms).padStart(EXPIRY_WIDTH, '0')
}

/** The stored value of a record: `<expiry, 15 digits>:<version>:<payload>`. */
export function encodeValue(record: SessionRecord): string {
  if (!Number.isSafeInteger(record.version) || record.version < 0) {
    throw new SessionError('DATA', 'redis', `version ${String(record.version)} is not a non-negative integer`)
  }
  return `${expiryText(record.expiresAt)}:${record.version}:${record.payload}`
}

/** Parses a stored value, or returns `null` when it does not have the engine's format. */
export function decodeValue(value: string): SessionRecord | null {
  const match = HEADER.exec(value)
  if (!match) return null
  return { expiresAt: new Date(Number(match[1])), version: Number(match[2]), payload: value.slice(match[0].length) }
}
