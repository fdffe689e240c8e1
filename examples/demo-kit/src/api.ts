import type { Session } from '@sess/core'
import type { DemoData, DemoReply, DemoRequest, SessionView } from './data.js'
import { deviceMetadata, listDevices, logoutDevice, logoutEverywhereElse } from './devices.js'
import { DemoError, expirySeconds, jsonObject, text } from './input.js'

/** One route of the JSON API, framework-neutral: the adapters map their request and response onto it. */
export interface DemoEndpoint {
  readonly method: 'GET' | 'POST'
  readonly path: string
  /** Whether the endpoint reads a JSON object body: adapters that parse bodies themselves read one only then. */
  readonly body: boolean
  /**
   * What the endpoint does with the session. Throws {@link DemoError} on bad input, `SessionError` when the
   * store fails; answers 200 otherwise.
   * @param session - this request's session.
   * @param body - the parsed JSON body (`undefined` when there is none); validated here.
   * @param request - the app's sessions and what the request says about the device.
   */
  handle(session: Session<DemoData>, body: unknown, request: DemoRequest): Promise<DemoReply>
}

const ok = (json: unknown): DemoReply => ({ status: 200, json })

/** A `POST` without a body that does one thing to the session and answers `{ ok: true }`. */
function action(path: string, run: (session: Session<DemoData>) => Promise<unknown>): DemoEndpoint {
  return {
    method: 'POST',
    path,
    body: false,
    async handle(session) {
      await run(session)
      return ok({ ok: true })
    },
  }
}

/** The demos' JSON API (see the demos' READMEs), endpoint for endpoint. */
export const demoApi: readonly DemoEndpoint[] = [
  { method: 'GET', path: '/api/session', body: false, handle: async (session) => ok(await sessionView(session)) },
  {
    method: 'POST',
    path: '/api/login',
    body: true,
    async handle(session, body, request) {
      const user = text(jsonObject(body).user, 'user')
      // A new user cycles the key (against session fixation: same data, new key) and indexes the session
      // under the user, with what the device list shows of this device.
      await session.setUser(user, deviceMetadata(request))
      return ok({ user })
    },
  },
  action('/api/logout', (session) => session.flush()),
  { method: 'GET', path: '/api/devices', body: false, handle: async (session, _body, request) => ok(await listDevices(session, request)) },
  {
    method: 'POST',
    path: '/api/logout-everywhere',
    body: false,
    handle: async (session, _body, request) => ok(await logoutEverywhereElse(session, request)),
  },
  {
    method: 'POST',
    path: '/api/devices/logout',
    body: true,
    handle: async (session, body, request) => ok(await logoutDevice(session, jsonObject(body).handle, request)),
  },
  {
    method: 'POST',
    path: '/api/counter',
    body: false,
    async handle(session) {
      // Atomic: parallel presses each count once (modify re-runs on the fresh value after a parallel save).
      await session.modify('count', (n = 0) => n + 1)
      await session.save() // now get() returns the value actually stored
      return ok({ count: await session.get('count', 0) })
    },
  },
  {
    method: 'POST',
    path: '/api/visit',
    body: false,
    async handle(session) {
      // A Date goes in and comes back a Date (the rich serializer), not an ISO string to parse.
      const previous = await session.get('lastVisit')
      const now = new Date()
      await session.set('lastVisit', now)
      return ok({ previous: previous instanceof Date ? previous.toISOString() : null, now: now.toISOString() })
    },
  },
  {
    method: 'POST',
    path: '/api/set',
    body: true,
    async handle(session, body) {
      const { key, value } = jsonObject(body)
      if (value === undefined) throw new DemoError('value is required (any JSON value)')
      await session.set(text(key, 'key'), value)
      return ok({ ok: true })
    },
  },
  {
    method: 'POST',
    path: '/api/expiry',
    body: true,
    async handle(session, body) {
      await session.setExpiry(expirySeconds(jsonObject(body).seconds))
      return ok({ ok: true })
    },
  },
  action('/api/clear', (session) => session.clear()),
  action('/api/cycle', (session) => session.cycleKey()),
  // Never touches the session: no cookie, no `Vary: Cookie`, no database access.
  { method: 'GET', path: '/api/noop', body: false, handle: async () => ok({ ok: true }) },
]

const byRoute = new Map(demoApi.map((endpoint) => [`${endpoint.method} ${endpoint.path}`, endpoint]))

/** The endpoint for `METHOD path`, for adapters without a router (Koa); `undefined` when there is none. */
export function findEndpoint(method: string, path: string): DemoEndpoint | undefined {
  return byRoute.get(`${method} ${path}`)
}

/** Whether `path` is under `/api`, where an unknown route answers {@link noSuchEndpoint} rather than the framework's 404. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/')
}

/** What an unknown `/api` route answers. */
export const noSuchEndpoint: DemoReply = { status: 404, json: { error: 'no such endpoint' } }

/** The session as the page shows it: its handle, never its key (a secret the HttpOnly cookie keeps from script). */
export async function sessionView(session: Session<DemoData>): Promise<SessionView> {
  const data = Object.fromEntries(await session.entries())
  const user = await session.getUser()
  const handle = session.handle
  return {
    handle,
    user: user?.id ?? null,
    data,
    expiresAt: handle === null ? null : (await session.getExpiryDate()).toISOString(),
    expireAtBrowserClose: await session.expireAtBrowserClose(),
  }
}
