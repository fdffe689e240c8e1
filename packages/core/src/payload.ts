import type { StoredExpiry } from './expiry.js'
import { decodeJsonPayload, encodeJsonPayload } from './json-payload.js'
import { jsonParse, jsonStringify, type SessionSerializer } from './serializer.js'
import { metadataProblem, userIdProblem, type SessionUser, type UserMetadata } from './user.js'

/** What core keeps in a record's payload: the data, when the session began, its own expiry, and its user. */
export interface Payload {
  data: Map<string, unknown>
  /** ms since the epoch when the session was first saved under its key (for the absolute timeout). */
  created: number
  expiry: StoredExpiry
  /** The signed-in user (`setUser`), or `null`/absent for an anonymous session. */
  user?: SessionUser | null
  /** ms since the epoch of the save that wrote this payload; written for signed-in sessions only (the device list's "last seen"). */
  saved?: number | null
}

/** A decoded payload: the user and the last save time always present (`null` when absent). */
export type DecodedPayload = Payload & { user: SessionUser | null; saved: number | null }

/**
 * The envelope, with one-letter fields so it stays small in every record and cookie: `d` data, `c` created, `e`
 * expiry (absent: the global policy), `u` user id, `m` user metadata (absent when empty), `s` last saved (with `u`).
 * Payloads written before the user index have no `u`/`m`/`s` and load as anonymous sessions.
 */
interface Envelope {
  d: Record<string, unknown>
  c: number
  e?: StoredExpiry
  u?: string
  m?: UserMetadata
  s?: number
}

/** Payload → text. Data keys such as `__proto__` stay plain data (`Object.fromEntries` defines, never assigns). */
export function encodePayload(serializer: SessionSerializer, payload: Payload): string {
  if (serializer.stringify === jsonStringify) {
    const text = encodeJsonPayload(payload)
    if (text !== undefined) return text
  }
  const envelope: Envelope = { d: Object.fromEntries(payload.data), c: payload.created }
  if (payload.expiry !== null) envelope.e = payload.expiry
  const { user } = payload
  if (user != null) {
    envelope.u = user.id
    if (Object.keys(user.metadata).length > 0) envelope.m = user.metadata
    if (payload.saved != null) envelope.s = payload.saved
  }
  return serializer.stringify(envelope)
}

/** Text → payload. Throws when the text does not parse or has the wrong shape. */
export function decodePayload(serializer: SessionSerializer, text: string): DecodedPayload {
  if (serializer.parse === jsonParse) {
    const payload = decodeJsonPayload(text)
    if (payload !== undefined) return payload
  }
  const envelope = serializer.parse(text) as Partial<Record<keyof Envelope, unknown>> | null
  if (typeof envelope !== 'object' || envelope === null) throw new TypeError('payload is not an object')
  const { d, c, e, u, m, s } = envelope
  if (typeof d !== 'object' || d === null || Array.isArray(d)) throw new TypeError('payload data is not an object')
  if (typeof c !== 'number' || !Number.isFinite(c)) throw new TypeError('payload has no creation time')
  if (e !== undefined && e !== null && typeof e !== 'number' && (typeof e !== 'string' || Number.isNaN(Date.parse(e)))) {
    throw new TypeError('payload expiry is malformed')
  }
  let user: SessionUser | null = null
  if (u !== undefined) {
    const problem = userIdProblem(u) ?? (m === undefined ? null : metadataProblem(m, false))
    if (problem !== null) throw new TypeError(`payload user is malformed: ${problem}`)
    user = { id: u as string, metadata: m === undefined ? {} : Object.fromEntries(Object.entries(m as UserMetadata)) }
  }
  if (s !== undefined && (typeof s !== 'number' || !Number.isFinite(s))) throw new TypeError('payload save time is malformed')
  // Own keys in Object.entries order, without the array of pairs `new Map(Object.entries(d))` would allocate.
  const data = new Map<string, unknown>()
  for (const key in d) if (Object.hasOwn(d, key)) data.set(key, (d as Record<string, unknown>)[key])
  return {
    data,
    created: c,
    expiry: (e ?? null) as StoredExpiry,
    user,
    saved: (s as number | undefined) ?? null,
  }
}
