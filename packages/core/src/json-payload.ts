import type { StoredExpiry } from './expiry.js'
import type { DecodedPayload, Payload } from './payload.js'
import { userIdProblem } from './user.js'

/**
 * The payload codec of the default JSON serializer for the common small payload — data of strings, numbers, booleans
 * and `null` under plain keys — written by hand: on this kind of host one `JSON.parse` or `JSON.stringify` call costs
 * about 1 µs whatever the size (the call into the runtime, plus the envelope object and `Object.fromEntries`), and the
 * hand-written scan of a 40-character payload a fifth of that. Both functions give exactly what the general codec
 * (`encodePayload`/`decodePayload` through `JSON`) gives, or `undefined` for anything they do not handle, and the
 * caller then takes the general codec: nested values, escapes, keys that start with a digit (an object orders
 * array-index keys first), whitespace, unknown fields, user metadata, anything malformed, and payloads over
 * {@link MAX_FAST_CHARS} characters (where the native scan is faster).
 */

/** Characters of text either function scans at most before it leaves the payload to the general codec. */
export const MAX_FAST_CHARS = 512

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const CLOSE = 0x7d
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39

/** The value the last scan read (the scanners return the index after it, or -1). */
let scanned: unknown

const isDigit = (code: number): boolean => code >= ZERO && code <= NINE

/** The string at `i` (its opening quote) without escapes or control characters: index after it, or -1. */
function scanString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const code = text.charCodeAt(j)
    if (code === QUOTE) {
      scanned = text.slice(i + 1, j)
      return j + 1
    }
    if (code === BACKSLASH || code < 0x20) return -1
  }
  return -1
}

/** A JSON number at `i`, by JSON's grammar: index after it, or -1. Up to 15 integer digits exactly, else `Number`. */
function scanNumber(text: string, i: number): number {
  let j = text.charCodeAt(i) === MINUS ? i + 1 : i
  const digits = j
  if (text.charCodeAt(j) === ZERO) j++
  else if (isDigit(text.charCodeAt(j))) while (isDigit(text.charCodeAt(j))) j++
  else return -1
  const integerEnd = j
  if (text.charCodeAt(j) === DOT) {
    if (!isDigit(text.charCodeAt(++j))) return -1
    while (isDigit(text.charCodeAt(j))) j++
  }
  const code = text.charCodeAt(j)
  if (code === 0x65 || code === 0x45) {
    j++
    if (text.charCodeAt(j) === PLUS || text.charCodeAt(j) === MINUS) j++
    if (!isDigit(text.charCodeAt(j))) return -1
    while (isDigit(text.charCodeAt(j))) j++
  }
  if (j === integerEnd && j - digits <= 15) {
    // Below 2⁵³: the sum is exact, as JSON.parse's value is.
    let n = 0
    for (let k = digits; k < j; k++) n = n * 10 + (text.charCodeAt(k) - ZERO)
    scanned = digits === i ? n : -n
  } else scanned = Number(text.slice(i, j)) // the same correctly rounded conversion JSON.parse makes
  return j
}

/** A string, number, `true`, `false` or `null` at `i`: index after it, or -1 (an object, an array, anything else). */
function scanPrimitive(text: string, i: number): number {
  const code = text.charCodeAt(i)
  if (code === QUOTE) return scanString(text, i)
  if (code === MINUS || isDigit(code)) return scanNumber(text, i)
  if (text.startsWith('true', i)) {
    scanned = true
    return i + 4
  }
  if (text.startsWith('false', i)) {
    scanned = false
    return i + 5
  }
  if (text.startsWith('null', i)) {
    scanned = null
    return i + 4
  }
  return -1
}

/** The members of the data object whose `{` is at `i - 1`, into `data`: index after its `}`, or -1. */
function scanData(text: string, i: number, data: Map<string, unknown>): number {
  if (text.charCodeAt(i) === CLOSE) return i + 1
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE || isDigit(text.charCodeAt(i + 1))) return -1
    i = scanString(text, i)
    if (i < 0 || text.charCodeAt(i) !== COLON) return -1
    const key = scanned as string
    i = scanPrimitive(text, i + 1)
    if (i < 0) return -1
    data.set(key, scanned) // a repeated key keeps its first place and takes the last value, as JSON.parse does
    const code = text.charCodeAt(i++)
    if (code === CLOSE) return i
    if (code !== COMMA) return -1
  }
}

/**
 * `decodePayload` through `JSON.parse`, for a payload `{"d":{…},"c":…}` (then `e`, `u`, `s` in any order) whose
 * data holds only strings without escapes, numbers, booleans and `null`; `undefined` for any other text, which the
 * caller decodes (or rejects) through `JSON.parse`.
 */
export function decodeJsonPayload(text: string): DecodedPayload | undefined {
  if (text.length > MAX_FAST_CHARS || !text.startsWith('{"d":{')) return undefined
  const data = new Map<string, unknown>()
  let i = scanData(text, 6, data)
  if (i < 0) return undefined
  let created: unknown
  let expiry: unknown = null
  let userId: unknown
  let saved: unknown
  for (;;) {
    const code = text.charCodeAt(i)
    if (code === CLOSE) {
      if (i + 1 !== text.length) return undefined
      break
    }
    // `,"x":` — a one-letter field name.
    if (code !== COMMA || text.charCodeAt(i + 1) !== QUOTE || text.charCodeAt(i + 3) !== QUOTE || text.charCodeAt(i + 4) !== COLON) {
      return undefined
    }
    const field = text[i + 2]
    i = scanPrimitive(text, i + 5)
    if (i < 0) return undefined
    switch (field) {
      case 'c':
        created = scanned
        break
      case 'e':
        expiry = scanned
        break
      case 'u':
        userId = scanned
        break
      case 's':
        saved = scanned
        break
      default:
        return undefined // `m` (user metadata) or a field core does not write
    }
  }
  if (typeof created !== 'number' || !Number.isFinite(created)) return undefined
  if (typeof expiry === 'boolean' || (typeof expiry === 'string' && Number.isNaN(Date.parse(expiry)))) return undefined
  if (userId !== undefined && userIdProblem(userId) !== null) return undefined
  if (saved !== undefined && (typeof saved !== 'number' || !Number.isFinite(saved))) return undefined
  return {
    data,
    created,
    expiry: expiry as StoredExpiry,
    user: userId === undefined ? null : { id: userId as string, metadata: {} },
    saved: (saved as number | undefined) ?? null,
  }
}

/** Characters left to scan in the current {@link encodeJsonPayload}. */
let budget = 0

/** Whether JSON writes the string as it is: no quote, backslash, control character or surrogate (within the budget). */
function plain(text: string): boolean {
  budget -= text.length
  if (budget < 0) return false
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === QUOTE || code === BACKSLASH || (code >= 0xd800 && code <= 0xdfff)) return false
  }
  return true
}

/** JSON's text of a plain string, a finite number, a boolean or `null`; `undefined` for anything else. */
function primitiveText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return plain(value) ? `"${value}"` : undefined
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined // JSON writes a finite number as ToString does
    case 'boolean':
      return value ? 'true' : 'false'
    default:
      return value === null ? 'null' : undefined
  }
}

/**
 * `encodePayload` through `JSON.stringify`, for a payload whose data holds only plain strings, finite numbers,
 * booleans and `null` under plain keys that do not start with a digit, with no user metadata; `undefined`
 * otherwise, and the caller encodes it through `JSON.stringify`. The same text, character for character.
 */
export function encodeJsonPayload(payload: Payload): string | undefined {
  budget = MAX_FAST_CHARS
  let text = '{"d":{'
  let separator = '"'
  for (const [key, value] of payload.data) {
    if (isDigit(key.charCodeAt(0)) || !plain(key)) return undefined
    const member = primitiveText(value)
    if (member === undefined) return undefined
    text += `${separator}${key}":${member}`
    separator = ',"'
  }
  const { created, expiry, user } = payload
  if (!Number.isFinite(created)) return undefined
  text += `},"c":${created}`
  if (expiry !== null) {
    const written = primitiveText(expiry)
    if (written === undefined) return undefined
    text += `,"e":${written}`
  }
  if (user != null) {
    if (Object.keys(user.metadata).length > 0 || !plain(user.id)) return undefined
    text += `,"u":"${user.id}"`
    if (payload.saved != null) {
      if (!Number.isFinite(payload.saved)) return undefined
      text += `,"s":${payload.saved}`
    }
  }
  return `${text}}`
}
