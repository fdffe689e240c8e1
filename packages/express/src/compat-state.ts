import type { Session, Sessions } from '@sess/core/binding'
import type { Request } from 'express'
import type { CompatCookie, PendingExpiry } from './compat-cookie.js'

// biome-ignore lint/suspicious/noExplicitAny: one state serves every app's data type
type AnySessions = Sessions<any>
// biome-ignore lint/suspicious/noExplicitAny: one state serves every app's data type
type AnySession = Session<any>

/** The symbol under which `req` and every `req.session` view keep their request's state. @internal */
export const COMPAT: unique symbol = Symbol('@sess/express compat')

/** The expiry a session had when loaded: its age in ms, or `null` when the cookie ends with the browser. @internal */
export type LoadedAge = number | null

/** One request's state behind `req.session`. @internal */
export interface CompatState {
  readonly sessions: AnySessions
  readonly req: Request & { [COMPAT]?: CompatState }
  /** The request's `Cookie` header (reload() of a cookie-only store reads it again). */
  readonly header: string | undefined
  /** The sess session; `reload()` replaces it. */
  core: AnySession
  /** The object `req.session` is now, or `null` after `destroy()`. */
  view: object | null
  /** Each data key's serialised value as loaded or last saved: what `commit` compares against. */
  snapshot: Map<string, string>
  /** The expiry given through `req.session.cookie`, applied with `setExpiry` at the next save. */
  expiry: PendingExpiry | undefined
  /** The age the cookie view starts from. */
  age: LoadedAge
  /** The age of a new session (the app's policy): what `regenerate()` starts from. */
  readonly defaultAge: LoadedAge
  cookie: CompatCookie | null
}

/** The state of the request `req` (set by `expressSessionCompat()`), or `undefined`. @internal */
export function compatStateOf(req: object): CompatState | undefined {
  return (req as { [COMPAT]?: CompatState })[COMPAT]
}
