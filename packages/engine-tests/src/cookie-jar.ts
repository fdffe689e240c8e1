/** One cookie as a browser keeps it. */
export interface JarCookie {
  value: string
  /** Raw attributes, lower-cased names: `max-age`, `expires`, `path`, `httponly`, `samesite`, … */
  attributes: Record<string, string | true>
}

/**
 * A tiny browser-like cookie jar for tests: takes `Set-Cookie` values, gives the `Cookie` header back.
 * A `Max-Age` of 0 or less removes the cookie. Not a full RFC 6265 implementation: one host, one path.
 */
export class CookieJar {
  readonly cookies: Map<string, JarCookie> = new Map()

  /** Applies `Set-Cookie` values in order. */
  apply(setCookie: readonly string[]): void {
    for (const line of setCookie) {
      const [pair = '', ...rest] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const attributes: Record<string, string | true> = {}
      for (const part of rest) {
        const i = part.indexOf('=')
        if (i === -1) attributes[part.trim().toLowerCase()] = true
        else attributes[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim()
      }
      const maxAge = attributes['max-age']
      if (typeof maxAge === 'string' && Number(maxAge) <= 0) this.cookies.delete(name)
      else this.cookies.set(name, { value, attributes })
    }
  }

  /** The `Cookie` request header, or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined
    return [...this.cookies].map(([name, cookie]) => `${name}=${cookie.value}`).join('; ')
  }

  /** The value of one cookie. */
  get(name: string): string | undefined {
    return this.cookies.get(name)?.value
  }

  /** A copy of this jar (to replay an old cookie later). */
  clone(): CookieJar {
    const jar = new CookieJar()
    for (const [name, cookie] of this.cookies) jar.cookies.set(name, { value: cookie.value, attributes: { ...cookie.attributes } })
    return jar
  }
}
