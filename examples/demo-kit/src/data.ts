/** What the demos keep in a session. A type alias (not an interface), so it satisfies `SessionData`. */
export type DemoData = {
  user?: string
  count?: number
  /** When the visitor last pressed "Record a visit": a `Date`, stored natively by the rich serializer. */
  lastVisit?: Date
  [key: string]: unknown
}

/** What `GET /api/session` answers. */
export interface SessionView {
  /** The session key, or `null` when the visitor has no stored session. */
  key: string | null
  data: Record<string, unknown>
  /** When the session expires if saved now (ISO 8601), or `null` without a key. */
  expiresAt: string | null
  /** The cookie ends when the browser closes. */
  expireAtBrowserClose: boolean
}

/** What an endpoint (or an error) answers: an HTTP status and a JSON body. */
export interface DemoReply {
  status: number
  json: unknown
}
