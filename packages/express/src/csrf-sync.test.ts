import { csrfSync } from 'csrf-sync'
import { describe, expect, it } from 'vitest'
import { CookieJar, EXPRESS, startCompat } from './test-compat.js'

for (const [label, express] of EXPRESS) {
  describe(`csrf-sync (synchronizer token in the session) through expressSessionCompat on ${label}`, () => {
    const app = () => {
      const { csrfSynchronisedProtection, generateToken } = csrfSync()
      return startCompat(express, (a) => {
        a.get('/form', (req, res) => {
          res.json({ token: generateToken(req as never) })
        })
        a.post('/transfer', csrfSynchronisedProtection as never, (_req, res) => {
          res.json({ ok: true })
        })
      })
    }
    it('the token stored in the session is accepted; none, a wrong one, or another session’s is refused with 403', async () => {
      const { request, url } = await app()
      const jar = new CookieJar()
      const { token } = (await request('GET', '/form', jar)).json() as { token: string }
      expect(token).toMatch(/^[a-f0-9]{20,}$/)
      expect(jar.get('sessionid')).toBeDefined()
      const send = (j: CookieJar, t?: string) =>
        fetch(`${url}/transfer`, { method: 'POST', headers: { cookie: j.header() ?? '', ...(t ? { 'x-csrf-token': t } : {}) } })
      expect((await send(jar)).status).toBe(403)
      expect((await send(jar, 'f'.repeat(token.length))).status).toBe(403)
      const other = new CookieJar()
      const { token: otherToken } = (await request('GET', '/form', other)).json() as { token: string }
      expect(otherToken).not.toBe(token)
      expect((await send(jar, otherToken)).status).toBe(403)
      const ok = await send(jar, token)
      expect(ok.status).toBe(200)
      expect(await ok.json()).toEqual({ ok: true })
    })

    it('a visitor without a session has no token to match', async () => {
      const { request } = await app()
      const response = await request('POST', '/transfer', new CookieJar())
      expect(response.status).toBe(403)
    })
  })
}
