import { createSessions, isSessionError } from '@sess/core'
import { memoryEngine } from '@sess/memory'
import { RequestCookies } from 'next/dist/server/web/spec-extension/cookies'
import { MutableRequestCookiesAdapter, RequestCookiesAdapter } from 'next/dist/server/web/spec-extension/adapters/request-cookies'
import { describe, expect, it } from 'vitest'
import { acceptsWrites, writeCookies } from './cookies.js'
import { readOnlySession } from './read-only.js'

// What getSession relies on, checked against the installed Next.js itself (its real cookie stores).
describe('the cookie store probe, against Next’s own stores', () => {
  const request = () => new RequestCookies(new Headers({ cookie: 'sessionid=abc; other=1' }))

  it('a Server Component’s sealed store refuses writes; the probe says so and changes nothing', () => {
    const sealed = RequestCookiesAdapter.seal(request())
    expect(acceptsWrites(sealed)).toBe(false)
    expect(sealed.getAll().map((c) => c.name)).toEqual(['sessionid', 'other'])
  })

  it('a Route Handler’s / Server Action’s mutable store accepts writes; the probe sets no cookie', () => {
    const written: string[][] = []
    const mutable = MutableRequestCookiesAdapter.wrap(request(), (cookies) => written.push(cookies))
    expect(acceptsWrites(mutable)).toBe(true)
    expect(written).toEqual([])
    writeCookies(mutable, ['sessionid=k1; Max-Age=60; Path=/; HttpOnly; SameSite=Lax', 'sessionid.0=; Max-Age=0; Path=/'])
    expect(mutable.get('sessionid')).toMatchObject({ value: 'k1', maxAge: 60, path: '/', httpOnly: true, sameSite: 'lax' })
    expect(mutable.get('other')?.value).toBe('1') // the app's other cookies stay
  })
})

describe('a read-only session', () => {
  it('reads; every write rejects with SessionError COMMITTED and nothing is stored', async () => {
    const sessions = createSessions<{ count?: number }>({ engine: memoryEngine() })
    const writer = sessions.load(null)
    await writer.set('count', 3)
    const { setCookie } = await sessions.commit(writer)
    const cookie = setCookie[0]!.split(';')[0]!
    const session = readOnlySession(sessions.load(cookie))
    expect(await session.get('count')).toBe(3)
    expect(await session.entries()).toEqual([['count', 3]])
    for (const write of [
      () => session.set('count', 4),
      () => session.delete('count'),
      () => session.flush(),
      () => session.cycleKey(),
      () => session.clear(),
      () => session.setExpiry(0),
      () => session.modify('count', (n = 0) => n + 1),
      () => session.save(),
    ]) {
      const error = await write().then(
        () => null,
        (e: unknown) => e,
      )
      expect(isSessionError(error, 'COMMITTED'), String(error)).toBe(true)
    }
    expect(() => {
      session.modified = true
    }).toThrow(/read-only/)
    expect(await sessions.load(cookie).get('count')).toBe(3)
  })
})
