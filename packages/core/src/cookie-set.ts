import { expireCookie, MAX_CHUNKS, MAX_COOKIE_BYTES, serializeCookie, type ResolvedCookie } from './cookie.js'
import type { SessionStore } from './engine.js'
import { SessionError } from './errors.js'

/** The Set-Cookie values for a session cookie value: one cookie, or chunks, plus the removal of stale chunks. */
export function sessionCookies(
  store: SessionStore,
  cookie: ResolvedCookie,
  value: string,
  maxAge: number | null,
  now: number,
  incomingChunks: number,
): string[] {
  const { name } = cookie
  if (name.length + 1 + value.length <= MAX_COOKIE_BYTES) {
    const cookies = [serializeCookie(cookie, name, value, maxAge, now)]
    for (let i = 0; i < incomingChunks; i++) cookies.push(expireCookie(cookie, `${name}.${i}`))
    return cookies
  }
  if (!store.chunking) {
    throw new SessionError(
      'COOKIE_TOO_LARGE',
      store.name,
      `the session cookie would be ${name.length + 1 + value.length} bytes; browsers keep at most ${MAX_COOKIE_BYTES} (store less, or turn on chunking)`,
    )
  }
  const size = MAX_COOKIE_BYTES - (name.length + 4) // "name.N=" with N of up to two digits
  const count = Math.ceil(value.length / size)
  if (count > MAX_CHUNKS) {
    throw new SessionError(
      'COOKIE_TOO_LARGE',
      store.name,
      `the session cookie needs ${count} chunks of ${MAX_COOKIE_BYTES} bytes; at most ${MAX_CHUNKS} are sent`,
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
