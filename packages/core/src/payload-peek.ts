import { userIdProblem } from './user.js'

/** The envelope fields of a payload, read without reviving its data: see {@link peekPayload}. */
export interface PayloadSummary {
  /** The signed-in user (`session.setUser`), or `null` for an anonymous session. */
  readonly userId: string | null
  /** When the session was signed in / first saved under its current key (a key cycle restarts it). */
  readonly created: Date
}

/**
 * Reads the user id and creation time from a payload core wrote with one of its serializers (strict JSON, or the
 * rich serializer of `@sess/core/rich`), without reviving the data — for stores that hold whole records and want
 * to judge them (`@sess/signed-cookie`'s `isRevoked`). `null` when the text is not such a payload (another
 * serializer's, or malformed). Never throws.
 */
export function peekPayload(payload: string): PayloadSummary | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(payload)
  } catch {
    return null
  }
  // The rich serializer (devalue) writes a flat array: the root object's fields are indices into it.
  const array = Array.isArray(parsed) ? (parsed as unknown[]) : null
  const root = array === null ? parsed : array[0]
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return null
  const field = (name: string): unknown => {
    const value = (root as Record<string, unknown>)[name]
    if (array === null || value === undefined) return value
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < array.length ? array[value] : null
  }
  const created = field('c')
  if (typeof created !== 'number' || !Number.isFinite(created)) return null
  const user = field('u')
  if (user !== undefined && userIdProblem(user) !== null) return null
  return { userId: user === undefined ? null : (user as string), created: new Date(created) }
}
