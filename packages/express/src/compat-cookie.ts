import { SessionError, type Sessions } from '@sess/core/binding'

/** A session's expiry as sess's `setExpiry` takes it: seconds of inactivity, a `Date`, or `0` (browser close). */
export type PendingExpiry = number | Date

/** Where a {@link CompatCookie} writes the expiry it is given. @internal */
export interface ExpirySink {
  expiry: PendingExpiry | undefined
}

/**
 * express-session's `req.session.cookie`, over sess. Times are in **milliseconds**, as in express-session:
 * `maxAge = 30 * 86_400_000` becomes `setExpiry(2_592_000)` (seconds) when the session is saved; `maxAge =
 * null` or `expires = null` makes a browser-session cookie (`setExpiry(0)`); `expires = date` expires at that
 * date (`setExpiry(date)`). The other attributes come from `createSessions({ cookie })` and are read-only.
 */
export class CompatCookie {
  /** The lifetime in ms the cookie was given (at load: the session's expiry age; `null`: until the browser closes). */
  originalMaxAge: number | null
  #expires: Date | null
  readonly #sink: ExpirySink
  // biome-ignore lint/suspicious/noExplicitAny: one cookie view serves every app's data type
  readonly #sessions: Sessions<any>

  /** @internal Made by `expressSessionCompat()`. */
  // biome-ignore lint/suspicious/noExplicitAny: one cookie view serves every app's data type
  constructor(sessions: Sessions<any>, sink: ExpirySink, ageMs: number | null) {
    this.#sessions = sessions
    this.#sink = sink
    this.originalMaxAge = ageMs
    this.#expires = ageMs === null ? null : new Date(Date.now() + ageMs)
  }

  /** When the cookie expires, or `null` (browser-session cookie). Setting it sets the session's expiry. */
  get expires(): Date | null {
    return this.#expires
  }

  set expires(value: Date | null | false | undefined) {
    if (value === null || value === false || value === undefined) {
      this.#expires = null
      this.#sink.expiry = 0
    } else if (value instanceof Date && !Number.isNaN(value.getTime())) {
      this.#expires = new Date(value.getTime())
      this.#sink.expiry = this.#expires
    } else throw new SessionError('DATA', 'express', `req.session.cookie.expires takes a Date or null, not ${String(value)}`)
    this.originalMaxAge = this.maxAge
  }

  /** Milliseconds until the cookie expires, or `null`. Setting it (ms, like express-session) sets the session's idle expiry in seconds. */
  get maxAge(): number | null {
    return this.#expires === null ? null : this.#expires.getTime() - Date.now()
  }

  set maxAge(ms: number | Date | null | undefined) {
    if (ms instanceof Date || ms === null || ms === undefined) {
      this.expires = ms
      return
    }
    if (typeof ms !== 'number' || !Number.isFinite(ms))
      throw new SessionError('DATA', 'express', `req.session.cookie.maxAge takes milliseconds or null, not ${String(ms)}`)
    this.#expires = new Date(Date.now() + ms)
    // sess counts seconds; 0 would mean "until the browser closes", so an expired-now cookie is a date.
    this.#sink.expiry = ms > 0 ? Math.ceil(ms / 1000) : this.#expires
    this.originalMaxAge = ms
  }

  /** From `createSessions({ cookie: { path } })`. */
  get path(): string {
    return this.#sessions.cookie.path
  }
  set path(_value: unknown) {
    readOnly('path')
  }

  /** From `createSessions({ cookie: { domain } })`. */
  get domain(): string | undefined {
    return this.#sessions.cookie.domain
  }
  set domain(_value: unknown) {
    readOnly('domain')
  }

  /** From `createSessions({ cookie: { secure } })`. */
  get secure(): boolean {
    return this.#sessions.cookie.secure
  }
  set secure(_value: unknown) {
    readOnly('secure')
  }

  /** From `createSessions({ cookie: { httpOnly } })`. */
  get httpOnly(): boolean {
    return this.#sessions.cookie.httpOnly
  }
  set httpOnly(_value: unknown) {
    readOnly('httpOnly')
  }

  /** From `createSessions({ cookie: { sameSite } })`. */
  get sameSite(): 'lax' | 'strict' | 'none' | false {
    return this.#sessions.cookie.sameSite
  }
  set sameSite(_value: unknown) {
    readOnly('sameSite')
  }

  /** From `createSessions({ cookie: { partitioned } })`. */
  get partitioned(): boolean {
    return this.#sessions.cookie.partitioned
  }
  set partitioned(_value: unknown) {
    readOnly('partitioned')
  }

  /** express-session's JSON shape of a cookie. */
  toJSON(): Record<string, unknown> {
    return {
      originalMaxAge: this.originalMaxAge,
      expires: this.#expires,
      secure: this.secure,
      httpOnly: this.httpOnly,
      domain: this.domain,
      path: this.path,
      sameSite: this.sameSite,
    }
  }
}

function readOnly(name: string): never {
  throw new SessionError(
    'CONFIG',
    'express',
    `req.session.cookie.${name} is set once for the app: createSessions({ cookie: { ${name} } }), not per request`,
  )
}
