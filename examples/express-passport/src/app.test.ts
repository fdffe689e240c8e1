import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from './app.js'

/** A browser-ish client: keeps the `sid` cookie, follows nothing, reads the page's CSRF token. */
class Browser {
  cookie: string | undefined
  constructor(readonly base: string) {}

  async send(method: string, path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = {}
    if (this.cookie) headers.cookie = `sid=${this.cookie}`
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await fetch(this.base + path, {
      method,
      headers,
      body: form ? new URLSearchParams(form).toString() : null,
      redirect: 'manual',
    })
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('sid='))
    if (setCookie) {
      const value = setCookie.slice(4, setCookie.indexOf(';'))
      this.cookie = /Max-Age=0/.test(setCookie) ? undefined : value
    }
    return { status: response.status, location: response.headers.get('location'), setCookie, text: await response.text() }
  }

  async page() {
    const { text } = await this.send('GET', '/')
    return { text, csrf: /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? '' }
  }
}

describe('examples/express-passport over HTTP', () => {
  let base = ''
  let close = async () => {}
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sess-example-'))
    const { app, sessions } = createApp({ database: join(dir, 'sessions.sqlite3') })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    close = async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      await sessions.dispose()
      rmSync(dir, { recursive: true, force: true })
    }
  })
  afterAll(() => close())

  it('refuses a sign-in without the CSRF token of the session', async () => {
    const browser = new Browser(base)
    await browser.page()
    const response = await browser.send('POST', '/login', { username: 'ada', password: 'lovelace' })
    expect(response.status).toBe(403)
  })

  it('a wrong password comes back to the page with the error, shown once', async () => {
    const browser = new Browser(base)
    const { csrf } = await browser.page()
    const response = await browser.send('POST', '/login', { username: 'ada', password: 'nope', _csrf: csrf })
    expect(response.status).toBe(302)
    expect(response.location).toBe('/')
    expect((await browser.page()).text).toContain('Wrong name or password.')
    expect((await browser.page()).text).not.toContain('Wrong name or password.')
  })

  it('signs in (new key, welcome flash, /account), then signs out (old key dead)', async () => {
    const browser = new Browser(base)
    const { csrf, text } = await browser.page()
    expect(text).toContain('Visits: 1')
    const anonymous = browser.cookie
    const login = await browser.send('POST', '/login', { username: 'ada', password: 'lovelace', _csrf: csrf })
    expect(login.status).toBe(302)
    expect(browser.cookie).toMatch(/^[a-z0-9]{32}$/)
    expect(browser.cookie).not.toBe(anonymous)
    expect(login.setCookie).toContain('Max-Age=604800')
    const home = await browser.page()
    expect(home.text).toContain('Welcome, ada.')
    expect(home.text).toContain('Signed in as ada.')
    expect((await browser.send('GET', '/account')).text).toBe('{"user":{"id":"u-1","name":"ada"}}')

    const signedIn = browser.cookie
    const logout = await browser.send('POST', '/logout', { _csrf: home.csrf })
    expect(logout.status).toBe(302)
    expect((await browser.page()).text).toContain('Signed out.')
    expect((await browser.send('GET', '/account')).status).toBe(401)
    const replay = new Browser(base)
    replay.cookie = signedIn
    expect((await replay.send('GET', '/account')).status).toBe(401)
  })

  it('“remember me” sets cookie.maxAge in ms, which becomes a 30-day cookie', async () => {
    const browser = new Browser(base)
    const { csrf } = await browser.page()
    const login = await browser.send('POST', '/login', { username: 'ada', password: 'lovelace', remember: 'on', _csrf: csrf })
    expect(login.setCookie).toContain('Max-Age=2592000')
    expect((await browser.send('GET', '/account')).status).toBe(200)
  })
})
