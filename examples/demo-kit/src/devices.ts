import type { Session } from '@sess/core'
import type { DemoData, DemoRequest, DeviceView, DevicesView } from './data.js'
import { DemoError, MAX_TEXT } from './input.js'

/** What a login records about the device (`session.setUser`'s metadata): shown in the device list. */
export type DeviceMetadata = { userAgent: string | null; ip: string | null }

/** The metadata of the device a request comes from: its `User-Agent` (cut to {@link MAX_TEXT} characters) and address. */
export function deviceMetadata(request: Pick<DemoRequest, 'userAgent' | 'ip'>): DeviceMetadata {
  const userAgent = request.userAgent ? request.userAgent.slice(0, MAX_TEXT) : null
  return { userAgent, ip: request.ip || null }
}

/** The signed-in user's id; a 401 {@link DemoError} for an anonymous visitor. */
export async function signedInUser(session: Session<DemoData>): Promise<string> {
  const user = await session.getUser()
  if (user === null) throw new DemoError('log in first', 401)
  return user.id
}

/**
 * A 501 {@link DemoError} when the store keeps no index of a user's sessions (signed cookies: the session lives in
 * the browser, the server cannot find or end it; an engine without the `userIndex` capability).
 */
export function requireUserIndex(request: DemoRequest): void {
  if (!request.sessions.userIndex) {
    throw new DemoError("this store keeps no index of a user's sessions: it cannot list or end them", 501)
  }
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)

/** `GET /api/devices`: the signed-in user's live sessions, this one marked. Never a key: handles only. */
export async function listDevices(session: Session<DemoData>, request: DemoRequest): Promise<DevicesView> {
  const user = await signedInUser(session)
  requireUserIndex(request)
  const sessions = await request.sessions.listFor(user, { current: session })
  const devices = sessions.map(
    (s): DeviceView => ({
      handle: s.handle,
      current: s.current,
      created: s.created.toISOString(),
      lastSaved: s.lastSaved.toISOString(),
      expires: s.expires.toISOString(),
      userAgent: text(s.metadata.userAgent),
      ip: text(s.metadata.ip),
    }),
  )
  return { user, devices }
}

/** `POST /api/logout-everywhere`: ends every session of the user but this one; answers how many ended. */
export async function logoutEverywhereElse(session: Session<DemoData>, request: DemoRequest): Promise<{ removed: number }> {
  const user = await signedInUser(session)
  requireUserIndex(request)
  return { removed: await request.sessions.destroyAllFor(user, { except: session }) }
}

const HANDLE = /^[A-Za-z0-9_-]{16}$/

/**
 * `POST /api/devices/logout` `{ handle }`: ends that one session of the signed-in user ("sign out that device").
 * This device's own handle logs out here (`flush()`, the cookie expired). A handle of another user's session
 * is not found: `destroyHandle` is scoped to the user.
 */
export async function logoutDevice(session: Session<DemoData>, handle: unknown, request: DemoRequest): Promise<{ removed: true }> {
  if (typeof handle !== 'string' || !HANDLE.test(handle)) throw new DemoError('handle must be a device handle (16 base64url characters)')
  const user = await signedInUser(session)
  requireUserIndex(request)
  if (handle === session.handle) {
    await session.flush()
    return { removed: true }
  }
  if (!(await request.sessions.destroyHandle(user, handle))) throw new DemoError('no such device (signed out already?)', 404)
  return { removed: true }
}
