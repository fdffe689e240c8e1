import { createSessions, SessionError } from '@sess/core'
import { CookieJar, ManualClock, type BindingData } from '@sess/engine-tests'
import { memoryEngine } from '@sess/memory'
import { createCookieSessionStorage, type SessionStorage } from 'react-router'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createSessStorage, sessOf } from './index.js'
import { listen, type TestRoute } from './test-app.js'

type Data = BindingData & { message?: string }

/** Serves `routes(storage)` through React Router's request handler over a memory engine on a manual clock. */
async function start(routes: (storage: SessionStorage<Data>) => TestRoute[]) {
  vi.spyOn(console, 'error').mockImplementation(() => {})
  const clock = new ManualClock()
  const sessions = createSessions<Data>({ engine: memoryEngine(), now: clock.now })
  const storage = createSessStorage<Data>(sessions)
  const server = await listen(routes(storage))
  onTestFinished(async () => {
    await server.close()
    await sessions.dispose()
  })
  const request = async (method: string, path: string, jar?: CookieJar) => {
    const cookie = jar?.header()
    const response = await fetch(server.url + path, { method, headers: cookie ? { cookie } : {} })
    const body = await response.text()
    const setCookie = response.headers.getSetCookie()
    jar?.apply(setCookie)
    return { status: response.status, body, setCookie, json: body.startsWith('{') ? JSON.parse(body) : undefined }
  }
  return { clock, sessions, storage, request }
}

const withCookie = (body: unknown, cookie: string) =>
  Response.json(body, { headers: cookie === '' ? {} : { 'set-cookie': cookie, vary: 'Cookie' } })

describe('@sess/react-router', () => {
  it('flash(key, value) is read exactly once, as React Router defines it', async () => {
    const { request } = await start(({ getSession, commitSession }) => [
      {
        path: 'flash',
        action: async ({ request }) => {
          const session = await getSession(request.headers.get('cookie'))
          session.set('user', 'ada')
          session.flash('message', 'saved!')
          return withCookie({ ok: true }, await commitSession(session))
        },
      },
      {
        path: 'page',
        loader: async ({ request }) => {
          const session = await getSession(request.headers.get('cookie'))
          const message = session.get('message') ?? null
          return withCookie({ message, user: session.get('user') }, await commitSession(session))
        },
      },
    ])
    const jar = new CookieJar()
    expect((await request('POST', '/flash', jar)).status).toBe(200)
    expect((await request('GET', '/page', jar)).json).toEqual({ message: 'saved!', user: 'ada' })
    expect((await request('GET', '/page', jar)).json).toEqual({ message: null, user: 'ada' })
  })

  it('commitSession({ maxAge }) sets the cookie’s Max-Age and the stored session’s expiry', async () => {
    const { request, clock } = await start(({ getSession, commitSession }) => [
      {
        path: 'remember',
        action: async ({ request }) => {
          const session = await getSession(request.headers.get('cookie'))
          session.set('user', 'ada')
          return withCookie({ ok: true }, await commitSession(session, { maxAge: 60 }))
        },
      },
      {
        path: 'who',
        loader: async ({ request }) => Response.json({ user: (await getSession(request.headers.get('cookie'))).get('user') ?? null }),
      },
    ])
    const jar = new CookieJar()
    const remembered = await request('POST', '/remember', jar)
    expect(remembered.setCookie).toHaveLength(1)
    expect(remembered.setCookie[0]).toMatch(/Max-Age=60(;|$)/)
    expect((await request('GET', '/who', jar)).json).toEqual({ user: 'ada' })
    clock.advance(61) // the cookie is still sent (the jar does not expire it): the server must not accept it
    expect((await request('GET', '/who', jar)).json).toEqual({ user: null })
  })

  it('commitSession({ expires }) ends the session at that date', async () => {
    const { request, clock } = await start(({ getSession, commitSession }) => [
      {
        path: 'until',
        action: async ({ request }) => {
          const session = await getSession(request.headers.get('cookie'))
          session.set('user', 'ada')
          return withCookie({ ok: true }, await commitSession(session, { expires: new Date(clock.now().getTime() + 3_600_000) }))
        },
      },
      {
        path: 'who',
        loader: async ({ request }) => Response.json({ user: (await getSession(request.headers.get('cookie'))).get('user') ?? null }),
      },
    ])
    const jar = new CookieJar()
    expect((await request('POST', '/until', jar)).setCookie[0]).toMatch(/Max-Age=3600(;|$)/)
    clock.advance(3599)
    expect((await request('GET', '/who', jar)).json).toEqual({ user: 'ada' })
    clock.advance(2)
    expect((await request('GET', '/who', jar)).json).toEqual({ user: null })
  })

  it('a commit writes only the keys this request changed: a parallel request’s keys survive', async () => {
    const { storage, sessions } = await start(() => [])
    const first = await storage.getSession(null)
    first.set('count', 1)
    const cookie = (await storage.commitSession(first)).split(';')[0]!
    const a = await storage.getSession(cookie)
    const b = await storage.getSession(cookie)
    a.set('user', 'ada')
    b.set('count', 2)
    b.unset('user')
    expect(await storage.commitSession(b)).not.toBe('')
    expect(await storage.commitSession(a)).not.toBe('')
    expect((await storage.getSession(cookie)).data).toEqual({ count: 2, user: 'ada' })
    const unchanged = await storage.getSession(cookie)
    expect(await storage.commitSession(unchanged)).toBe('') // nothing changed: nothing to set
    expect(await sessions.exists(cookie.slice('sessionid='.length))).toBe(true)
  })

  it('never hands the session key to the app: session.id is empty', async () => {
    const { storage } = await start(() => [])
    const session = await storage.getSession(null)
    session.set('count', 1)
    const cookie = (await storage.commitSession(session)).split(';')[0]!
    expect((await storage.getSession(cookie)).id).toBe('')
  })

  it('refuses cookie attributes that belong in createSessions({ cookie }) and sessions from another storage', async () => {
    const { storage } = await start(() => [])
    const session = await storage.getSession(null)
    session.set('count', 1)
    await expect(storage.commitSession(session, { domain: 'example.com' } as never)).rejects.toSatisfy(
      (error) => error instanceof SessionError && error.code === 'CONFIG',
    )
    const foreign = await createCookieSessionStorage({ cookie: { secrets: ['s'] } }).getSession()
    await expect(storage.commitSession(foreign as never)).rejects.toSatisfy(
      (error) => error instanceof SessionError && error.code === 'CONFIG',
    )
    expect(() => createSessStorage({} as never)).toThrow(SessionError)
    expect(() => sessOf(foreign)).toThrow(SessionError)
  })

  it('a malformed or unknown cookie gives a fresh empty session, and committing it removes the cookie', async () => {
    const { storage } = await start(() => [])
    const session = await storage.getSession('sessionid=../../etc/passwd')
    expect(session.data).toEqual({})
    expect(await storage.commitSession(session)).toMatch(/^sessionid=;.*Max-Age=0/i)
  })
})
