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
}

/** Browsers keep at most 4096 bytes of name + value per cookie. */
export const MAX_COOKIE_BYTES = 4096
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
  let attributes = ''
  if (options.domain !== undefined) attributes += `; Domain=${options.domain}`
  attributes += `; Path=${path}`
  if (secure) attributes += '; Secure'
  if (httpOnly) attributes += '; HttpOnly'
  if (sameSite) attributes += `; SameSite=${sameSite[0]!.toUpperCase()}${sameSite.slice(1)}`
  if (partitioned) attributes += '; Partitioned'
  return { name, domain: options.domain, path, secure, httpOnly, sameSite, partitioned, attributes }
}

/**
 * The value of the first cookie called `name` in a `Cookie` header, or `null`.
 * Never throws: junk, missing `=`, odd spacing and quotes are tolerated.
 */
export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null
  const length = header.length
  let start = 0
  while (start < length) {
    let end = header.indexOf(';', start)
    if (end === -1) end = length
    const eq = header.indexOf('=', start)
    if (eq !== -1 && eq < end) {
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

/** The most chunks we read back: 10 × 4 KiB stays under every server's header limit. */
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
