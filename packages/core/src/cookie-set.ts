import { expireCookie, MAX_CHUNKS, MAX_COOKIE_BYTES, serializeCookie, type ResolvedCookie } from './cookie.js'
import type { SessionStore } from './engine.js'
import { SessionError } from './errors.js'

/** What `"; "` adds between two cookies of a `Cookie` header. */
const SEPARATOR_BYTES = 2

/**
 * The Set-Cookie values for a session cookie value: one cookie, or chunks, plus the removal of stale chunks.
 *
 * The whole set is bounded: the bytes it takes in the next request's `Cookie` header (every `name=value` and the
 * `; ` between them) never exceed `cookie.maxBytes`, and no single cookie exceeds the 4096 bytes browsers keep.
 * Anything larger throws `SessionError('COOKIE_TOO_LARGE')` here, before a header is written, so no response can
 * make the visitor's next request too large for the server to accept (a 431 on every request until the cookies expire).
 */
export function sessionCookies(
  store: SessionStore,
  cookie: ResolvedCookie,
  value: string,
  maxAge: number | null,
  now: number,
  incomingChunks: number,
): string[] {
  const { name, maxBytes } = cookie
  const single = name.length + 1 + value.length
  if (single <= MAX_COOKIE_BYTES) {
    if (single > maxBytes) throw tooLarge(store, `the session cookie would be ${single} bytes; cookie.maxBytes is ${maxBytes}`)
    const cookies = [serializeCookie(cookie, name, value, maxAge, now)]
    for (let i = 0; i < incomingChunks; i++) cookies.push(expireCookie(cookie, `${name}.${i}`))
    return cookies
  }
  if (!store.chunking) {
    throw tooLarge(
      store,
      `the session cookie would be ${single} bytes; browsers keep at most ${MAX_COOKIE_BYTES} (store less, or turn on chunking)`,
    )
  }
  const size = MAX_COOKIE_BYTES - (name.length + 3) // "name.N=" with one digit: N < MAX_CHUNKS = 10
  const count = Math.ceil(value.length / size)
  // What the chunks take in the next Cookie header: the value, each "name.N=", and the separators.
  const total = value.length + count * (name.length + 3) + (count - 1) * SEPARATOR_BYTES
  if (count > MAX_CHUNKS || total > maxBytes) {
    throw tooLarge(
      store,
      `the session cookies would take ${total} bytes of the Cookie header (${count} chunks); cookie.maxBytes is ${maxBytes}`,
    )
  }
  const cookies = [expireCookie(cookie, name)]
  for (let i = 0; i < count; i++) cookies.push(serializeCookie(cookie, `${name}.${i}`, value.slice(i * size, (i + 1) * size), maxAge, now))
  for (let i = count; i < incomingChunks; i++) cookies.push(expireCookie(cookie, `${name}.${i}`))
  return cookies
}

/** The Set-Cookie values that remove the session cookie and `chunks` chunks of it. */
export function expireAll(cookie: ResolvedCookie, chunks: number): string[] {
  const cookies = [expireCookie(cookie, cookie.name)]
  for (let i = 0; i < chunks; i++) cookies.push(expireCookie(cookie, `${cookie.name}.${i}`))
  return cookies
}

function tooLarge(store: SessionStore, message: string): SessionError {
  return new SessionError('COOKIE_TOO_LARGE', store.name, message)
}
