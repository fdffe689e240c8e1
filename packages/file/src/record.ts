import type { SessionRecord } from '@sess/core/engine'

/**
 * The on-disk form of one session: a JSON object `{ payload, expiresAt, version }` with `expiresAt` in
 * milliseconds since the epoch, plus `userId` and `handle` for a signed-in session. One file holds exactly one
 * complete record (files are replaced by atomic rename, never written in place).
 */
export function encodeRecord(record: SessionRecord): string {
  const { payload, expiresAt, version, userId, handle } = record
  return JSON.stringify({
    payload,
    expiresAt: expiresAt.getTime(),
    version,
    ...(userId === undefined ? {} : { userId }),
    ...(handle === undefined ? {} : { handle }),
  })
}

/** Why a file could not be decoded. */
export type DecodeFailure = { reason: string; error?: unknown }

/** Decodes a file's text, or says why it is not a record (not JSON, truncated, wrong shape). Never throws. */
export function decodeRecord(text: string): SessionRecord | DecodeFailure {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    return { reason: text.length === 0 ? 'session file is empty' : 'session file is not valid JSON', error }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { reason: 'session file is not a JSON object' }
  const { payload, expiresAt, version, userId, handle } = value as Record<string, unknown>
  if (typeof payload !== 'string') return { reason: 'session file has no string payload' }
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return { reason: 'session file has no numeric expiresAt' }
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) return { reason: 'session file has no integer version' }
  if (userId !== undefined && typeof userId !== 'string') return { reason: 'session file has a userId that is not a string' }
  if (handle !== undefined && typeof handle !== 'string') return { reason: 'session file has a handle that is not a string' }
  const record: SessionRecord = { payload, expiresAt: new Date(expiresAt), version }
  if (userId !== undefined) record.userId = userId
  if (handle !== undefined) record.handle = handle
  return record
}

/** Whether {@link decodeRecord} produced a record. */
export function isRecord(value: SessionRecord | DecodeFailure): value is SessionRecord {
  return 'payload' in value
}
