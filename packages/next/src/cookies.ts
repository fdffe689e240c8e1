// next has no exports map: Node's ESM resolver needs the file name (bundlers accept both)
import { NextResponse } from 'next/server.js'

/** The part of Next's `cookies()` store the binding writes through. */
export interface CookieWriter {
  set(cookie: ReturnType<NextResponse['cookies']['getAll']>[number]): unknown
}

/**
 * Whether `store` (what `await cookies()` gave) accepts writes. Next seals it in Server Components: there
 * `set()` throws its `ReadonlyRequestCookiesError` whatever the arguments. Where writes are allowed (Route
 * Handlers, Server Actions), `set()` without a cookie fails on the missing argument before it changes
 * anything, so the probe never writes a cookie.
 */
export function acceptsWrites(store: { set: (...args: never[]) => unknown }): boolean {
  try {
    store.set()
    return true
  } catch (error) {
    return !(
      error instanceof Error &&
      (error.constructor.name === 'ReadonlyRequestCookiesError' || /can only be modified/.test(error.message))
    )
  }
}

/** Writes `Set-Cookie` values through Next's cookie store (one `set` per cookie name; others' cookies stay). */
export function writeCookies(store: CookieWriter, setCookie: readonly string[]): void {
  if (setCookie.length === 0) return
  const parsed = new NextResponse(null, { headers: setCookie.map((value): [string, string] => ['set-cookie', value]) })
  for (const cookie of parsed.cookies.getAll()) store.set(cookie)
}
