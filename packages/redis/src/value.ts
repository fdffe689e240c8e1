import { SessionError, type SessionRecord } from '@sess/core/engine'

/** Width of the zero-padded expiry at the start of every value (ms since the epoch; up to the year 33658). */
export const EXPIRY_WIDTH = 15
const MAX_EXPIRY = 10 ** EXPIRY_WIDTH - 1
/** `<expiry>:<version>:` (anonymous) or `<expiry>:<version>@<user>@<handle>:` (signed in; both URI-encoded). */
const HEADER = /^(\d{15}):(\d{1,15})(?:@([^@:]*)@([^@:]*))?:/
/**
 * The most characters a signed-in header's user and handle may take once encoded, so that the scripts find the
 * whole header within the first {@link HEADER_BYTES} bytes of a value.
 */
const MAX_OWNER = 4096
/** How many leading bytes of a value the scripts read to find its header (the payload is never read). */
export const HEADER_BYTES = 8192

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

/**
 * A user id or handle as it appears in values and index members: URI-encoded, so it holds no `@` or `:` and the
 * scripts can split on them. Text that is not valid Unicode (a lone surrogate) is refused with `SessionError('DATA')`.
 */
export function encodeId(text: string, what: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    throw new SessionError('DATA', 'redis', `${what} is not valid Unicode text`)
  }
}

/** Who a record is signed in as, encoded (`user@handle`), or `''` for an anonymous record. */
export function ownerOf(record: SessionRecord): string {
  if (record.userId == null) return ''
  if (typeof record.userId !== 'string') throw new SessionError('DATA', 'redis', 'userId must be a string')
  if (typeof record.handle !== 'string') throw new SessionError('DATA', 'redis', 'a record with a userId needs a handle')
  const owner = `${encodeId(record.userId, 'userId')}@${encodeId(record.handle, 'handle')}`
  if (owner.length > MAX_OWNER) throw new SessionError('DATA', 'redis', `userId and handle take more than ${MAX_OWNER} characters`)
  return owner
}

/** The stored value of a record: `<expiry, 15 digits>:<version>[@<user>@<handle>]:<payload>`. */
export function encodeValue(record: SessionRecord): string {
  if (!Number.isSafeInteger(record.version) || record.version < 0) {
    throw new SessionError('DATA', 'redis', `version ${String(record.version)} is not a non-negative integer`)
  }
  const owner = ownerOf(record)
  return `${expiryText(record.expiresAt)}:${record.version}${owner === '' ? '' : `@${owner}`}:${record.payload}`
}

/** Parses a stored value, or returns `null` when it does not have the engine's format. */
export function decodeValue(value: string): SessionRecord | null {
  const match = HEADER.exec(value)
  if (!match) return null
  const record: SessionRecord = {
    payload: value.slice(match[0].length),
    expiresAt: new Date(Number(match[1])),
    version: Number(match[2]),
  }
  if (match[3] === undefined) return record
  try {
    record.userId = decodeURIComponent(match[3])
    record.handle = decodeURIComponent(match[4]!)
  } catch {
    return null
  }
  return record
}

/** Splits an encoded owner (`user@handle`, as the scripts return it) into its decoded user id and encoded handle. */
export function parseOwner(owner: string): { userId: string; handle: string } | null {
  const at = owner.indexOf('@')
  if (at < 0) return null
  try {
    return { userId: decodeURIComponent(owner.slice(0, at)), handle: owner.slice(at + 1) }
  } catch {
    return null
  }
}
