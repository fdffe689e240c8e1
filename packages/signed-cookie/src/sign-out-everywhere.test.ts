import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSessions, type Session } from '@sess/core'
import { ManualClock } from '@sess/engine-tests'
import { session } from '@sess/express'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { signedCookie } from './node.js'
import { SECRET_A } from './test-extras.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/**
 * The README's pattern, as an app: a per-user "valid after" time, checked by isRevoked. `clock` is the app's clock
 * (core's `now` and the time recorded at "sign out everywhere"), so the test needs no sleeping.
 */
async function start(clock: ManualClock): Promise<string> {
  const validAfter = new Map<string, number>() // a table or a Redis key per user in production
  const sessions = createSessions({
    now: clock.now,
    engine: signedCookie({
      secrets: SECRET_A,
      isRevoked: (_key, { userId, created }) => userId !== null && created !== null && created.getTime() < (validAfter.get(userId) ?? 0),
    }),
  })
  /** "Sign out everywhere else": sessions of the user signed in before now are refused; the current one gets a new key. */
  const destroyAllFor = async (userId: string, current: Session) => {
    validAfter.set(userId, clock.now().getTime())
    await current.cycleKey() // a new key starts a new `created`: this session stays valid
  }
  const app = express().use(session(sessions))
  const wrap =
    (handler: RequestHandler): RequestHandler =>
    (req, res, next) =>
      Promise.resolve(handler(req, res, next)).catch(next)
  app.post(
    '/login/:user',
    wrap(async (req, res) => {
      await req.session.setUser(String(req.params.user))
      res.json({ ok: true })
    }),
  )
  app.get(
    '/whoami',
    wrap(async (req, res) => {
      res.json({ user: (await req.session.getUser())?.id ?? null })
    }),
  )
  app.post(
    '/logout-everywhere',
    wrap(async (req, res) => {
      const user = await req.session.getUser()
      if (user) await destroyAllFor(user.id, req.session)
      res.json({ ok: user !== null })
    }),
  )
  app.get(
    '/devices',
    wrap(async (req, res) => {
      const user = await req.session.getUser()
      res.json(await sessions.listFor(user?.id ?? 'nobody'))
    }),
  )
  app.use(((error, _req, res, _next) => {
    res.status(error.status ?? 500).json({ code: error.code ?? null })
  }) as ErrorRequestHandler)
  const server = app.listen(0, '127.0.0.1')
  servers.push(server)
  await new Promise((resolve) => server.once('listening', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** One browser: the cookies it keeps, from real Set-Cookie headers. */
class Browser {
  readonly cookies = new Map<string, string>()
  async fetch(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(url, { ...init, headers })
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      if (/Max-Age=0/.test(line)) this.cookies.delete(pair!.slice(0, eq))
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1))
    }
    return { status: response.status, body: await response.json() }
  }
  /** A browser holding a copy of this one's cookies (a stolen or older cookie). */
  copy(): Browser {
    const other = new Browser()
    for (const [k, v] of this.cookies) other.cookies.set(k, v)
    return other
  }
}

describe('signed cookies: signing a user out everywhere with a per-user "valid after" time (README pattern)', () => {
  it('after "sign out everywhere else", every older cookie of that user reads as empty; the current one and other users stay', async () => {
    const clock = new ManualClock()
    const url = await start(clock)
    const whoami = async (b: Browser) => (await b.fetch(`${url}/whoami`)).body.user
    const laptop = new Browser()
    const phone = new Browser()
    const bob = new Browser()
    await laptop.fetch(`${url}/login/ada`, { method: 'POST' })
    clock.advance(60)
    await phone.fetch(`${url}/login/ada`, { method: 'POST' })
    await bob.fetch(`${url}/login/bob`, { method: 'POST' })
    clock.advance(60)
    await phone.fetch(`${url}/whoami`) // a later request of the phone: its cookie is re-sent, not re-signed-in
    const stolenPhone = phone.copy()
    const oldLaptop = laptop.copy()
    expect(await whoami(phone)).toBe('ada')

    clock.advance(60)
    expect((await laptop.fetch(`${url}/logout-everywhere`, { method: 'POST' })).body).toEqual({ ok: true })
    expect(laptop.cookies.get('sessionid')).not.toBe(oldLaptop.cookies.get('sessionid'))

    expect(await whoami(laptop)).toBe('ada')
    expect(await whoami(phone)).toBeNull()
    expect(await whoami(stolenPhone)).toBeNull()
    expect(await whoami(oldLaptop)).toBeNull() // the laptop's cookie from before the re-issue
    expect(await whoami(bob)).toBe('bob')
    expect(phone.cookies.size).toBe(0) // a revoked cookie is removed, like any cookie naming no session

    clock.advance(60)
    await phone.fetch(`${url}/login/ada`, { method: 'POST' }) // signing in again afterwards works
    expect(await whoami(phone)).toBe('ada')
  })

  it('the device list is refused with CONFIG: signed cookies have no index', async () => {
    const url = await start(new ManualClock())
    const laptop = new Browser()
    await laptop.fetch(`${url}/login/ada`, { method: 'POST' })
    expect(await laptop.fetch(`${url}/devices`)).toEqual({ status: 500, body: { code: 'CONFIG' } })
  })
})
