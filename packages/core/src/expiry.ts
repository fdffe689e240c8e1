/**
 * A session's own expiry, as stored with its data (Django's `_session_expiry`):
 * `null` follows the global policy, a number is seconds of inactivity (`0`: until the browser closes),
 * a string is an ISO date.
 */
export type StoredExpiry = number | string | null

/** What `setExpiry` accepts: seconds of inactivity, an instant, `0` (browser close) or `null` (global policy). */
export type ExpiryInput = number | Date | null

/** Seconds until expiry if the session is saved at `now` (Django's `get_expiry_age`). */
export function expiryAge(expiry: StoredExpiry, now: number, maxAge: number): number {
  if (!expiry) return maxAge
  if (typeof expiry === 'number') return expiry
  return Math.floor((Date.parse(expiry) - now) / 1000)
}

/** Whether the cookie should die with the browser (Django's `get_expire_at_browser_close`). */
export function expiresAtBrowserClose(expiry: StoredExpiry, globalPolicy: boolean): boolean {
  return expiry === null ? globalPolicy : expiry === 0
}

/**
 * When a record saved at `now` expires: the idle expiry, capped by the absolute lifetime counted
 * from `created` when `absoluteMaxAge` is set.
 */
export function expiresAtMs(expiry: StoredExpiry, now: number, created: number, maxAge: number, absoluteMaxAge: number | null): number {
  const idle = now + expiryAge(expiry, now, maxAge) * 1000
  return absoluteMaxAge === null ? idle : Math.min(idle, created + absoluteMaxAge * 1000)
}
