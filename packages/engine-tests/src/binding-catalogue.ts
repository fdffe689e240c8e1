import type { SessionsOptions } from '@sess/core'
import { describe, expect, it } from 'vitest'
import type { BindingResponse, BindingSetup } from './binding-suite.js'
import { CookieJar } from './cookie-jar.js'

/** The threat catalogue (SECURITY.md) cases every binding passes through real HTTP, named by their IDs. */
export function describeBindingCatalogue(
  setup: (options?: Partial<SessionsOptions>) => Promise<BindingSetup>,
  cookieName: string,
  onlyOpenedSessions?: string,
): void {
  const sessionCookies = (r: BindingResponse) => r.setCookie.filter((c) => c.startsWith(`${cookieName}=`))
  const varyFields = (r: BindingResponse) =>
    (r.headers.get('vary') ?? '')
      .toLowerCase()
      .split(',')
      .map((f) => f.trim())

  describe('catalogue', () => {
    it('F1: an engine read failure answers 5xx, mints no fresh session and sets no cookie; the session survives it', async () => {
      const { request, engine } = await setup()
      const jar = new CookieJar()
      await request('GET', '/counter', jar)
      const key = jar.get(cookieName)
      engine.failReads = true
      for (const path of ['/read', '/counter']) {
        const response = await request('GET', path, jar)
        expect(response.status, path).toBeGreaterThanOrEqual(500)
        expect(response.status, path).toBeLessThan(600)
        expect(sessionCookies(response), path).toEqual([])
      }
      expect(engine.size).toBe(1)
      engine.failReads = false
      expect(jar.get(cookieName)).toBe(key)
      expect((await request('GET', '/counter', jar)).json).toEqual({ count: 2 })
    })

    it('L4: logout without a session cookie sends no Set-Cookie and stores nothing, but varies by Cookie', async () => {
      const { request, engine } = await setup()
      const response = await request('POST', '/logout', new CookieJar())
      expect(response.status).toBe(200)
      expect(sessionCookies(response)).toEqual([])
      expect(engine.size).toBe(0)
      expect(varyFields(response)).toContain('cookie')
    })

    it(
      onlyOpenedSessions === undefined
        ? 'L13: a rolling refresh on a request that never read the session still varies by Cookie'
        : `L13: saveEveryRequest refreshes only sessions a route opens (${onlyOpenedSessions})`,
      async () => {
        const { request } = await setup({ saveEveryRequest: true })
        const jar = new CookieJar()
        await request('GET', '/counter', jar)
        const noop = await request('GET', '/noop', jar)
        expect(noop.status).toBe(200)
        if (onlyOpenedSessions !== undefined) {
          // The binding never sees this request's session: nothing is refreshed, and nothing claims to be.
          expect(sessionCookies(noop)).toEqual([])
          const read = await request('GET', '/read', jar)
          expect(sessionCookies(read)).toHaveLength(1) // a route that opens the session is refreshed
          expect(varyFields(read)).toContain('cookie')
          return
        }
        expect(sessionCookies(noop)).toHaveLength(1)
        expect(varyFields(noop)).toContain('cookie')
      },
    )

    it('L13: every response that sets or expires the session cookie is Cache-Control: private; an untouched one gets nothing', async () => {
      const { request } = await setup()
      const jar = new CookieJar()
      const cacheControl = (r: BindingResponse) => (r.headers.get('cache-control') ?? '').toLowerCase()
      const created = await request('GET', '/counter', jar)
      expect(sessionCookies(created)).toHaveLength(1)
      expect(cacheControl(created)).toMatch(/(^|,\s*)private(\s*,|$)/)
      const own = await request('GET', '/own-cookie', jar)
      expect(cacheControl(own)).toMatch(/(^|,\s*)private(\s*,|$)/)
      const login = await request('POST', '/login?user=ada', jar)
      expect(cacheControl(login)).toMatch(/(^|,\s*)private(\s*,|$)/)
      const logout = await request('POST', '/logout', jar)
      expect(sessionCookies(logout)).toHaveLength(1)
      expect(cacheControl(logout)).toMatch(/(^|,\s*)private(\s*,|$)/)
      const noop = await request('GET', '/noop', jar)
      expect(noop.headers.get('cache-control')).toBeNull()
    })

    it('A2: junk session cookies never reach the engine and are answered like no cookie', async () => {
      const { request, engine } = await setup()
      engine.failReads = true // a junk cookie that reached the engine would now answer 5xx
      for (const junk of ['x', 'a'.repeat(7), 'a'.repeat(4000), '%00'.repeat(11), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345']) {
        const jar = new CookieJar()
        jar.apply([`${cookieName}=${junk}; Path=/`])
        const response = await request('GET', '/read', jar)
        expect(response.status, junk.slice(0, 12)).toBe(200)
        expect(response.json).toEqual({ count: null })
      }
    })
  })
}
