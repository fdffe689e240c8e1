import { SessionError } from './errors.js'

/** The session cookie's attributes. Defaults are Django's. */
export interface CookieOptions {
  /** Cookie name. Default `sessionid`. */
  name?: string
  /** `Domain` attribute. Default: none (host-only). */
  domain?: string
  /** `Path` attribute. Default `/`. */
  path?: string
  /** `Secure` attribute. Default `false` (set it in production behind HTTPS). */
  secure?: boolean
  /** `HttpOnly` attribute. Default `true`. */
  httpOnly?: boolean
  /** `SameSite` attribute. Default `lax`; `false` omits it. `none` requires `secure`. */
  sameSite?: 'lax' | 'strict' | 'none' | false
  /** `Partitioned` attribute (CHIPS). Default `false`; requires `secure`. */
  partitioned?: boolean
  /**
   * The most bytes the session's cookies may take in the next request's `Cookie` header: every
   * `name=value` of the set (chunks included) plus the `; ` between them. Default {@link DEFAULT_MAX_COOKIE_BYTES}
   * (6144), leaving room for the app's own cookies under the 8 KiB header line that many servers and proxies
   * accept (Node accepts 16 KiB of headers in all). A save over it fails with `SessionError('COOKIE_TOO_LARGE')`
   * before any header is sent. A whole number from {@link MIN_COOKIE_BYTES} to {@link MAX_COOKIE_SET_BYTES}.
   */
  maxBytes?: number
}

/** Browsers keep at most 4096 bytes of name + value per cookie. */
export const MAX_COOKIE_BYTES = 4096
/** The default bound of the whole session cookie set ({@link CookieOptions.maxBytes}): 6 KiB. */
export const DEFAULT_MAX_COOKIE_BYTES = 6144
/** The smallest `cookie.maxBytes` accepted: room for a session key cookie with a long name. */
export const MIN_COOKIE_BYTES = 256
/** The largest `cookie.maxBytes` accepted: {@link MAX_CHUNKS} full chunks (which only a server with a raised header limit reads). */
export const MAX_COOKIE_SET_BYTES = 10 * 4096
/** Browsers cap Max-Age at 400 days (RFC 6265bis); so do we. */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const FORBIDDEN_IN_ATTRIBUTE = /[;\r\n\0]/

/** Validated cookie settings, with the fixed attribute suffix computed once. */
export interface ResolvedCookie {
  readonly name: string
  readonly domain: string | undefined
  readonly path: string
  readonly secure: boolean
  readonly httpOnly: boolean
  readonly sameSite: 'lax' | 'strict' | 'none' | false
  readonly partitioned: boolean
  /** The bound of the whole cookie set in the next request's `Cookie` header, in bytes. */
  readonly maxBytes: number
  /** `; Domain=…; Path=/; Secure; HttpOnly; SameSite=Lax; Partitioned`, the part that never changes. */
  readonly attributes: string
}

/**
 * Validates cookie options (bad values → `SessionError('CONFIG')`) and precomputes the attribute suffix.
 */
export function resolveCookie(options: CookieOptions = {}): ResolvedCookie {
  const name = options.name ?? 'sessionid'
  if (!TOKEN.test(name)) throw new SessionError('CONFIG', 'core', `cookie.name ${JSON.stringify(name)} is not a valid cookie name`)
  const path = options.path ?? '/'
  for (const [label, value] of [
    ['cookie.path', path],
    ['cookie.domain', options.domain],
  ] as const) {
    if (value === undefined) continue
    if (typeof value !== 'string' || value === '' || FORBIDDEN_IN_ATTRIBUTE.test(value) || /[\s,]/.test(value)) {
      throw new SessionError(
        'CONFIG',
        'core',
        `${label} ${JSON.stringify(value)} contains a forbidden character (;, CR, LF, whitespace or comma)`,
      )
    }
  }
  const sameSite = options.sameSite ?? 'lax'
  if (sameSite !== false && sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw new SessionError('CONFIG', 'core', `cookie.sameSite must be 'lax', 'strict', 'none' or false, not ${JSON.stringify(sameSite)}`)
  }
  const secure = options.secure ?? false
  const partitioned = options.partitioned ?? false
  if (sameSite === 'none' && !secure)
    throw new SessionError('CONFIG', 'core', "cookie.sameSite 'none' requires cookie.secure: browsers reject it otherwise")
  if (partitioned && !secure) throw new SessionError('CONFIG', 'core', 'cookie.partitioned requires cookie.secure')
  if (name.startsWith('__Host-') && (!secure || options.domain !== undefined || path !== '/')) {
    throw new SessionError('CONFIG', 'core', 'a __Host- cookie needs secure: true, no domain and path "/"')
  }
  if (name.startsWith('__Secure-') && !secure) throw new SessionError('CONFIG', 'core', 'a __Secure- cookie needs secure: true')
  const httpOnly = options.httpOnly ?? true
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_COOKIE_BYTES
  if (typeof maxBytes !== 'number' || !Number.isSafeInteger(maxBytes) || maxBytes < MIN_COOKIE_BYTES || maxBytes > MAX_COOKIE_SET_BYTES) {
    throw new SessionError(
      'CONFIG',
      'core',
      `cookie.maxBytes must be a whole number of bytes from ${MIN_COOKIE_BYTES} to ${MAX_COOKIE_SET_BYTES}, not ${String(maxBytes)}`,
    )
  }
  let attributes = ''
  if (options.domain !== undefined) attributes += `; Domain=${options.domain}`
  attributes += `; Path=${path}`
  if (secure) attributes += '; Secure'
  if (httpOnly) attributes += '; HttpOnly'
  if (sameSite) attributes += `; SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`
  if (partitioned) attributes += '; Partitioned'
  return { name, domain: options.domain, path, secure, httpOnly, sameSite, partitioned, maxBytes, attributes }
}

/**
 * The value of the first cookie called `name` in a `Cookie` header, or `null`.
 * Never throws: junk, missing `=`, odd spacing and quotes are tolerated. Linear in the header's length:
 * every character is looked at a bounded number of times, whatever the runs of `;` or `=` (the position of
 * the next `=` is remembered across segments instead of searched again from each one).
 */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null
  const length = header.length
  let start = 0
  let eq = -1
  while (start < length) {
    if (eq < start) {
      eq = header.indexOf('=', start)
      if (eq === -1) return null // no "=" in the rest: no further cookie has a value
    }
    let end = header.indexOf(';', start)
    if (end === -1) end = length
    if (eq < end) {
      let nameStart = start
      let nameEnd = eq
      while (nameStart < nameEnd && isSpace(header.charCodeAt(nameStart))) nameStart++
      while (nameEnd > nameStart && isSpace(header.charCodeAt(nameEnd - 1))) nameEnd--
      if (nameEnd - nameStart === name.length && header.startsWith(name, nameStart)) {
        let valueStart = eq + 1
        let valueEnd = end
        while (valueStart < valueEnd && isSpace(header.charCodeAt(valueStart))) valueStart++
        while (valueEnd > valueStart && isSpace(header.charCodeAt(valueEnd - 1))) valueEnd--
        if (valueEnd - valueStart >= 2 && header.charCodeAt(valueStart) === 34 && header.charCodeAt(valueEnd - 1) === 34) {
          valueStart++
          valueEnd--
        }
        return header.slice(valueStart, valueEnd)
      }
    }
    start = end + 1
  }
  return null
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9
}

/** A session cookie value and, when it came in chunks, how many. */
export interface IncomingCookie {
  value: string
  /** 0 when the value came in one cookie; N when it came as `name.0 … name.N-1`. */
  chunks: number
}

/**
 * The most chunks read back from a request. Reading is not what keeps headers small: what sess sends is bounded
 * by `cookie.maxBytes` (default 6 KiB for the whole set), so a response never makes the next request too large
 * for the server (Node refuses more than 16 KiB of headers with 431; many servers and proxies 8 KiB per line).
 */
export const MAX_CHUNKS = 10

/** Reads `name`, or, when `chunking` is on and it is absent, reassembles `name.0 … name.N-1`. */
export function readSessionCookie(header: string | null | undefined, name: string, chunking: boolean): IncomingCookie | null {
  const whole = readCookie(header, name)
  if (whole !== null || !chunking) return whole === null ? null : { value: whole, chunks: 0 }
  let value = ''
  let chunks = 0
  for (; chunks < MAX_CHUNKS; chunks++) {
    const part = readCookie(header, `${name}.${chunks}`)
    if (part === null) break
    value += part
  }
  return chunks === 0 ? null : { value, chunks }
}

/** `Set-Cookie` value for a cookie that lives `maxAge` seconds (`null`: until the browser closes). */
export function serializeCookie(cookie: ResolvedCookie, name: string, value: string, maxAge: number | null, now: number): string {
  if (maxAge === null) return `${name}=${value}${cookie.attributes}`
  const age = Math.max(0, Math.min(Math.floor(maxAge), MAX_COOKIE_AGE_SECONDS))
  return `${name}=${value}; Max-Age=${age}; Expires=${httpDate(now + age * 1000)}${cookie.attributes}`
}

let cachedSecond = Number.NaN
let cachedDate = ''

/** An HTTP date (whole seconds), cached for the last second asked: most cookies of a busy second share it. */
function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000)
  if (second !== cachedSecond) {
    cachedDate = new Date(second * 1000).toUTCString()
    cachedSecond = second
  }
  return cachedDate
}

/** `Set-Cookie` value that removes a cookie. */
export function expireCookie(cookie: ResolvedCookie, name: string): string {
  return `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${cookie.attributes}`
}
