import type { SessionRecord } from '@sess/core/engine'

/**
 * The on-disk form of one session: a JSON object `{ payload, expiresAt, version }` with `expiresAt`
 * in milliseconds since the epoch. One file holds exactly one complete record (files are replaced by
 * atomic rename, never written in place).
 */
export function encodeRecord(record: SessionRecord): string {
  return JSON.stringify({ payload: record.payload, expiresAt: record.expiresAt.getTime(), version: record.version })
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
  const { payload, expiresAt, version } = value as Record<string, unknown>
  if (typeof payload !== 'string') return { reason: 'session file has no string payload' }
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return { reason: 'session file has no numeric expiresAt' }
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) return { reason: 'session file has no integer version' }
  return { payload, expiresAt: new Date(expiresAt), version }
}

/** Whether {@link decodeRecord} produced a record. */
export function isRecord(value: SessionRecord | DecodeFailure): value is SessionRecord {
  return 'payload' in value
}
