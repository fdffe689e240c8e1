import type { Sessions } from '@sess/core'

/**
 * What the demos keep in a session. A type alias (not an interface), so it satisfies `SessionData`. The signed-in
 * user is not part of it: `session.setUser` keeps it (and the device's metadata), see `GET /api/session`'s `user`.
 */
export type DemoData = {
  count?: number
  /** When the visitor last pressed "Record a visit": a `Date`, stored natively by the rich serializer. */
  lastVisit?: Date
  [key: string]: unknown
}

/** What `GET /api/session` answers. Never the session key: it is a secret, and the cookie is HttpOnly so that script cannot read it. */
export interface SessionView {
  /** The session's non-secret handle (16 base64url characters derived from the key), or `null` when nothing is stored. */
  handle: string | null
  /** Who the session is signed in as (`session.getUser()`), or `null`. */
  user: string | null
  data: Record<string, unknown>
  /** When the session expires if saved now (ISO 8601), or `null` without a stored session. */
  expiresAt: string | null
  /** The cookie ends when the browser closes. */
  expireAtBrowserClose: boolean
}

/** One of the signed-in user's sessions, as `GET /api/devices` lists it. */
export interface DeviceView {
  /** The non-secret handle: what `POST /api/devices/logout` names the device by. */
  handle: string
  /** The session of this request ("this device"). */
  current: boolean
  /** When the session was created (ISO 8601). */
  created: string
  /** When it was last saved (ISO 8601). */
  lastSaved: string
  /** When it expires (ISO 8601). */
  expires: string
  /** The `User-Agent` the device logged in with (at most 200 characters), or `null`. */
  userAgent: string | null
  /** The address the device logged in from, as the framework reports the peer, or `null` where it cannot tell. */
  ip: string | null
}

/** What `GET /api/devices` answers. */
export interface DevicesView {
  user: string
  /** Newest `lastSaved` first. */
  devices: DeviceView[]
}

/** What an endpoint needs of the request besides the session and the body: the adapters fill it in. */
export interface DemoRequest {
  /** The app's sessions (`listFor`, `destroyAllFor`, `destroyHandle`). */
  sessions: Sessions<DemoData>
  /** The `User-Agent` header, or `null`. */
  userAgent: string | null | undefined
  /** The peer's address as the framework reports it (Express `req.ip`, Koa `ctx.ip`), or `null` where it cannot tell. */
  ip: string | null | undefined
}

/** What an endpoint (or an error) answers: an HTTP status and a JSON body. */
export interface DemoReply {
  status: number
  json: unknown
}
