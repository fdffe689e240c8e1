/**
 * Response headers that belong to the response the handler built (its body, its redirect, its cookies).
 * When a save fails, a binding removes them before the error response; headers set for every response
 * (security headers, CORS) stay. Lower-case names.
 */
export const HANDLER_RESPONSE_HEADERS: readonly string[] = Object.freeze([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-range',
  'content-disposition',
  'etag',
  'last-modified',
  'location',
  'set-cookie',
  'transfer-encoding',
])

/** Whether `value` is a promise (`sessions.commit` returns plain headers for an untouched session). */
export function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}
