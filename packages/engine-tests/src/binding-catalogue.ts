import { describe, expect, it } from 'vitest'
import type { BindingResponse, BindingSetup } from './binding-suite.js'
import { CookieJar } from './cookie-jar.js'

/** The threat catalogue (SECURITY.md) cases every binding passes through real HTTP, named by their IDs. */
export function describeBindingCatalogue(setup: () => Promise<BindingSetup>, cookieName: string): void {
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
