import { expect, it } from 'vitest'
import { ANONYMOUS, type DemoClient } from './client.js'
import type { DevicesView } from './data.js'

/** What {@link describeDevices} needs from the demo suite. */
export interface DeviceSuiteContext {
  /** A fresh demo on its own SQLite file. */
  demo(): Promise<{ url: string; sessions: { exists(key: string): Promise<boolean> } }>
  /** A visitor (its own cookie jar: a device) whose bodies the suite's leak check sees. */
  visitor(url: string, userAgent?: string): DemoClient
  /** Whether devices list the peer's address (else `ip` is `null`). */
  peerAddress: boolean
}

const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64) sess-demo-test laptop'
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) sess-demo-test phone'
const TABLET = 'Mozilla/5.0 (iPad) sess-demo-test tablet'
const DAY = 86_400_000

/**
 * The device list's cases (`GET /api/devices`, `POST /api/logout-everywhere`, `POST /api/devices/logout`), each
 * device a visitor with its own cookie jar. Called inside `describeDemoApi`'s group, so its leak check applies.
 */
export function describeDevices({ demo, visitor, peerAddress }: DeviceSuiteContext): void {
  async function loggedIn(url: string, user: string, userAgent: string): Promise<DemoClient> {
    const client = visitor(url, userAgent)
    expect((await client.call('POST', '/api/login', { user })).json).toEqual({ user })
    expect(client.handle).toBeDefined()
    return client
  }

  async function devices(client: DemoClient): Promise<DevicesView> {
    const response = await client.call('GET', '/api/devices')
    expect(response.status).toBe(200)
    return response.json as DevicesView
  }

  it("GET /api/devices lists the user's sessions by handle, with device, times and this one marked; no other user's", async () => {
    const started = Date.now() - 1000
    const { url } = await demo()
    const laptop = await loggedIn(url, 'ada', LAPTOP)
    const phone = await loggedIn(url, 'ada', PHONE)
    const grace = await loggedIn(url, 'grace', TABLET)

    const list = await devices(laptop)
    expect(list.user).toBe('ada')
    expect(list.devices.map((d) => d.handle).sort()).toEqual([laptop.handle, phone.handle].sort())
    expect(list.devices.filter((d) => d.current).map((d) => d.handle)).toEqual([laptop.handle])
    const byHandle = new Map(list.devices.map((d) => [d.handle, d]))
    expect(byHandle.get(laptop.handle!)!.userAgent).toBe(LAPTOP)
    expect(byHandle.get(phone.handle!)!.userAgent).toBe(PHONE)
    for (const device of list.devices) {
      expect(Object.keys(device).sort()).toEqual(['created', 'current', 'expires', 'handle', 'ip', 'lastSaved', 'userAgent'])
      // The peer's address where the framework reports it (IPv4, or IPv4-mapped IPv6); Next.js does not: null.
      if (peerAddress) expect(device.ip).toMatch(/^(?:::ffff:)?127\.0\.0\.1$/)
      else expect(device.ip).toBeNull()
      const [created, lastSaved, expires] = [Date.parse(device.created), Date.parse(device.lastSaved), Date.parse(device.expires)]
      expect(created).toBeGreaterThanOrEqual(started)
      expect(lastSaved).toBeGreaterThanOrEqual(created)
      expect(lastSaved).toBeLessThanOrEqual(Date.now() + 1000)
      expect(expires).toBeGreaterThan(Date.now() + 13 * DAY)
    }
    const saved = list.devices.map((d) => Date.parse(d.lastSaved))
    expect(saved).toEqual([...saved].sort((a, b) => b - a)) // newest first

    const fromPhone = await devices(phone)
    expect(fromPhone.devices.filter((d) => d.current).map((d) => d.handle)).toEqual([phone.handle])
    expect((await devices(grace)).devices.map((d) => d.handle)).toEqual([grace.handle])
  })

  it('POST /api/logout-everywhere ends every other session of the user at once and keeps this one', async () => {
    const running = await demo()
    const laptop = await loggedIn(running.url, 'ada', LAPTOP)
    const phone = await loggedIn(running.url, 'ada', PHONE)
    const tablet = await loggedIn(running.url, 'ada', TABLET)
    const grace = await loggedIn(running.url, 'grace', PHONE)
    const [phoneKey, tabletKey] = [phone.key!, tablet.key!]
    await laptop.call('POST', '/api/counter')

    const everywhere = await laptop.call('POST', '/api/logout-everywhere')
    expect(everywhere.status).toBe(200)
    expect(everywhere.json).toEqual({ removed: 2 })
    expect(everywhere.setCookie).toEqual([]) // this device keeps its key

    expect(await running.sessions.exists(phoneKey)).toBe(false)
    expect(await running.sessions.exists(tabletKey)).toBe(false)
    expect(await phone.session()).toEqual(ANONYMOUS)
    expect(await tablet.session()).toEqual(ANONYMOUS)
    expect(await laptop.session()).toMatchObject({ user: 'ada', handle: laptop.handle, data: { count: 1 } })
    expect((await devices(laptop)).devices.map((d) => [d.handle, d.current])).toEqual([[laptop.handle, true]])
    expect(await grace.session()).toMatchObject({ user: 'grace', handle: grace.handle })
    expect((await phone.call('GET', '/api/devices')).status).toBe(401)
    expect((await laptop.call('POST', '/api/logout-everywhere')).json).toEqual({ removed: 0 })
  })

  it("POST /api/devices/logout ends one device by handle; another user's or an unknown handle is 404, a malformed one 400", async () => {
    const running = await demo()
    const laptop = await loggedIn(running.url, 'ada', LAPTOP)
    const phone = await loggedIn(running.url, 'ada', PHONE)
    const grace = await loggedIn(running.url, 'grace', TABLET)

    // A handle names a session only within its user: grace cannot sign ada out.
    const foreign = await grace.call('POST', '/api/devices/logout', { handle: laptop.handle })
    expect(foreign.status).toBe(404)
    expect(foreign.json).toEqual({ error: expect.any(String) })
    expect((await laptop.session()).user).toBe('ada')

    const [phoneKey, phoneHandle] = [phone.key!, phone.handle!]
    const one = await laptop.call('POST', '/api/devices/logout', { handle: phoneHandle })
    expect(one.status).toBe(200)
    expect(one.json).toEqual({ removed: true })
    expect(await running.sessions.exists(phoneKey)).toBe(false)
    expect(await phone.session()).toEqual(ANONYMOUS)
    expect((await devices(laptop)).devices.map((d) => d.handle)).toEqual([laptop.handle])
    expect((await laptop.call('POST', '/api/devices/logout', { handle: phoneHandle })).status).toBe(404)

    // A key is not a handle (and the error does not repeat it: the leak check reads every body).
    for (const handle of ['short', 42, null, 'x'.repeat(17), laptop.key, 'abcdefghijklmno!']) {
      const bad = await laptop.call('POST', '/api/devices/logout', { handle })
      expect(bad.status, String(handle)).toBe(400)
      expect(bad.json.error).toMatch(/handle/)
    }
    expect((await laptop.call('POST', '/api/devices/logout', {})).status).toBe(400)

    // This device's own handle logs out here: the cookie is expired.
    const laptopKey = laptop.key!
    const own = await laptop.call('POST', '/api/devices/logout', { handle: laptop.handle })
    expect(own.json).toEqual({ removed: true })
    expect(own.setCookie).toEqual([expect.stringMatching(/^sessionid=;.*Max-Age=0/i)])
    expect(await running.sessions.exists(laptopKey)).toBe(false)
    expect(await grace.session()).toMatchObject({ user: 'grace' })
  })

  it('the device endpoints answer 401 to a visitor who is not logged in, and set no cookie', async () => {
    const { url } = await demo()
    const fresh = visitor(url)
    const counting = visitor(url)
    await counting.call('POST', '/api/counter') // a stored session, but nobody signed in
    for (const client of [fresh, counting]) {
      for (const [method, path, body] of [
        ['GET', '/api/devices'],
        ['POST', '/api/logout-everywhere'],
        ['POST', '/api/devices/logout', { handle: 'AAAAAAAAAAAAAAAA' }],
      ] as const) {
        const response = await client.call(method, path, body)
        expect(response.status, path).toBe(401)
        expect(response.json).toEqual({ error: 'log in first' })
        expect(response.setCookie).toEqual([])
      }
    }
    expect((await counting.session()).data).toEqual({ count: 1 })
  })

  it("a logout leaves the list; logging in as another user moves the session to that user's list", async () => {
    const { url } = await demo()
    const laptop = await loggedIn(url, 'ada', LAPTOP)
    const phone = await loggedIn(url, 'ada', PHONE)
    const tablet = await loggedIn(url, 'ada', TABLET)
    expect((await devices(laptop)).devices).toHaveLength(3)

    expect((await phone.call('POST', '/api/logout')).status).toBe(200)
    expect((await devices(laptop)).devices.map((d) => d.handle).sort()).toEqual([laptop.handle, tablet.handle].sort())

    const adaHandle = tablet.handle
    expect((await tablet.call('POST', '/api/login', { user: 'grace' })).json).toEqual({ user: 'grace' })
    expect(tablet.handle).not.toBe(adaHandle) // a new user, a new key
    expect((await devices(laptop)).devices.map((d) => d.handle)).toEqual([laptop.handle])
    const grace = await devices(tablet)
    expect(grace.user).toBe('grace')
    expect(grace.devices.map((d) => [d.handle, d.current, d.userAgent])).toEqual([[tablet.handle, true, TABLET]])
  })
}
