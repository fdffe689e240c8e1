/** The longest `user` or `key` the API accepts. */
export const MAX_TEXT = 200

/** A client mistake: answered with its status (400 unless said otherwise) and `{ error }`. */
export class DemoError extends Error {
  /**
   * @param message - shown to the client as `{ error: message }`.
   * @param status - the HTTP status, 400 by default (413 for a body too large).
   */
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message)
  }
}

/** The request's body as a JSON object; anything else (no body, not JSON, an array, `null`) is a 400. */
export function jsonObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new DemoError('send a JSON object (content-type: application/json)')
  return value as Record<string, unknown>
}

/** A field that must be a non-empty string of at most {@link MAX_TEXT} characters; answered trimmed. */
export function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT)
    throw new DemoError(`${name} must be a non-empty string of at most ${MAX_TEXT} characters`)
  return value.trim()
}

/** `setExpiry`'s argument: a number ≥ 0 or `null`; anything else is a 400. */
export function expirySeconds(value: unknown): number | null {
  if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new DemoError('seconds must be a number ≥ 0 (0: until the browser closes) or null (the default policy)')
  }
  return value
}
