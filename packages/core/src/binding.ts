import { SessionError } from './errors.js'
import type { SessionHeaders } from './commit.js'
import type { Sessions } from './sessions.js'

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

/**
 * Checks, at start-up, that a binding was given the object `createSessions()` returns; anything else
 * throws `SessionError('CONFIG')` naming the binding's own entry point (e.g. `'session()'`).
 */
export function assertSessions(sessions: unknown, binding: string, entry: string): asserts sessions is Sessions<never> {
  const s = sessions as Partial<Sessions> | null
  if (typeof s !== 'object' || s === null || typeof s.load !== 'function' || typeof s.commit !== 'function') {
    throw new SessionError('CONFIG', binding, `${entry} needs the object returned by createSessions({ engine })`)
  }
}

/**
 * The `Vary` value that adds `Cookie` to `current` (a header value, a list of values, or nothing), or
 * `null` when `current` already varies by `Cookie` or by `*` (then leave the header as it is).
 */
export function varyWithCookie(current: string | readonly string[] | number | null | undefined): string | null {
  if (current == null || current === '') return 'Cookie' // the usual case: nothing to merge with
  const text = current == null ? '' : Array.isArray(current) ? current.join(',') : String(current)
  const fields: string[] = []
  for (const raw of text.split(',')) {
    const field = raw.trim()
    if (field === '') continue
    if (field === '*' || field.toLowerCase() === 'cookie') return null
    fields.push(field)
  }
  fields.push('Cookie')
  return fields.join(', ')
}

/**
 * The `Cache-Control` value for a response that sets or expires the session cookie: such a response belongs to
 * one visitor, so a shared cache (CDN, proxy) must not store it and hand it, cookie and all, to someone else.
 * Returns `current` with `private` added (`public` and `s-maxage` removed), or `null` when `current` already
 * says `private` or `no-store` (then leave the header as it is). The app's other directives are kept.
 */
export function privateCacheControl(current: string | readonly string[] | number | null | undefined): string | null {
  if (current == null || current === '') return 'private' // the usual case: nothing to merge with
  const text = Array.isArray(current) ? current.join(',') : String(current)
  const kept: string[] = []
  for (const raw of text.split(',')) {
    const directive = raw.trim()
    if (directive === '') continue
    const name = directive.split('=')[0]!.trim().toLowerCase()
    if (name === 'private' || name === 'no-store') return null
    if (name === 'public' || name === 's-maxage') continue
    kept.push(directive)
  }
  kept.push('private')
  return kept.join(', ')
}

/**
 * Writes a commit's headers onto Web-standard `Headers` (Hono, h3, Next.js route handlers): the session's
 * `Set-Cookie` values appended after the app's own, `Cache-Control: private` when a cookie is set or expired,
 * `Cookie` merged into `Vary`.
 */
export function appendSessionHeaders(target: Headers, headers: SessionHeaders): void {
  for (const cookie of headers.setCookie) target.append('set-cookie', cookie)
  if (headers.setCookie.length > 0) {
    const cacheControl = privateCacheControl(target.get('cache-control'))
    if (cacheControl !== null) target.set('cache-control', cacheControl)
  }
  if (!headers.vary) return
  const vary = varyWithCookie(target.get('vary'))
  if (vary !== null) target.set('vary', vary)
}

/** The header methods of Node's `http.ServerResponse` that {@link setNodeSessionHeaders} uses. */
export interface NodeResponseHeaders {
  getHeader(name: string): string | string[] | number | undefined
  setHeader(name: string, value: string | string[]): unknown
  appendHeader(name: string, value: string | string[]): unknown
}

/**
 * Writes a commit's headers onto a Node `ServerResponse` (Express, Koa) directly, without the framework's own
 * header helpers: the session's `Set-Cookie` values appended after the app's own, `Cache-Control: private` when a
 * cookie is set or expired, `Cookie` merged into `Vary`. The response's headers must not have been sent.
 */
export function setNodeSessionHeaders(res: NodeResponseHeaders, headers: SessionHeaders): void {
  const getHeader = methodOf(res, 'getHeader')
  const setHeader = methodOf(res, 'setHeader')
  if (headers.setCookie.length > 0) {
    // Node's appendHeader checks the value and then, for a header not set yet, calls setHeader, which checks it again
    // (a scan of every cookie line): with no `Set-Cookie` of the app's own, set it once.
    const cookies = headers.setCookie as string[]
    if (getHeader.call(res, 'Set-Cookie') === undefined) setHeader.call(res, 'Set-Cookie', cookies)
    else methodOf(res, 'appendHeader').call(res, 'Set-Cookie', cookies)
    const cacheControl = privateCacheControl(getHeader.call(res, 'Cache-Control'))
    if (cacheControl !== null) setHeader.call(res, 'Cache-Control', cacheControl)
  }
  if (!headers.vary) return
  const vary = varyWithCookie(getHeader.call(res, 'Vary'))
  if (vary !== null) setHeader.call(res, 'Vary', vary)
}

/**
 * The function a call `target[name](…)` would run, read off the prototype when `target` has no own one. The same
 * function, read once: on an object with a hidden class of its own (Express gives one to every response), each read
 * of a property on the object itself misses V8's caches, a read on its prototype does not.
 */
function methodOf<T extends object, K extends keyof T>(target: T, name: K): T[K] {
  if (Object.hasOwn(target, name)) return target[name]
  const proto = Object.getPrototypeOf(target) as T | null
  return proto === null ? target[name] : proto[name]
}
