import type { StoredExpiry } from './expiry.js'
import type { SessionSerializer } from './serializer.js'

/** What core keeps in a record's payload: the data, when the session began, and its own expiry. */
export interface Payload {
  data: Map<string, unknown>
  /** ms since the epoch when the session was first saved (for the absolute timeout). */
  created: number
  expiry: StoredExpiry
}

/** Payload → text. Data keys such as `__proto__` stay plain data (`Object.fromEntries` defines, never assigns). */
export function encodePayload(serializer: SessionSerializer, payload: Payload): string {
  const envelope: { d: Record<string, unknown>; c: number; e?: StoredExpiry } = { d: Object.fromEntries(payload.data), c: payload.created }
  if (payload.expiry !== null) envelope.e = payload.expiry
  return serializer.stringify(envelope)
}

/** Text → payload. Throws when the text does not parse or has the wrong shape. */
export function decodePayload(serializer: SessionSerializer, text: string): Payload {
  const envelope = serializer.parse(text) as { d?: unknown; c?: unknown; e?: unknown } | null
  if (typeof envelope !== 'object' || envelope === null) throw new TypeError('payload is not an object')
  const { d, c, e } = envelope
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new TypeError('payload data is not an object')
  if (typeof c !== 'number' || !Number.isFinite(c)) throw new TypeError('payload has no creation time')
  if (e !== undefined && e !== null && typeof e !== 'number' && (typeof e !== 'string' || Number.isNaN(Date.parse(e)))) {
    throw new TypeError('payload expiry is malformed')
  }
  return { data: new Map(Object.entries(d)), created: c, expiry: (e ?? null) as StoredExpiry }
}
