import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { createSessions, type SessionsOptions } from '@sess/core'
import { session } from '@sess/express'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { afterEach, describe, expect, it } from 'vitest'
import { signedCookie } from './node.js'
import type { SignedCookieOptions } from './options.js'
import { SECRET_A, SECRET_B } from './test-extras.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/** An Express 5 app with @sess/express over a signed-cookie store, listening on 127.0.0.1. */
async function start(store: SignedCookieOptions, options: Partial<SessionsOptions> = {}): Promise<string> {
  const app = express()
  app.use(session(createSessions({ ...options, engine: signedCookie(store) })))
  const wrap =
    (handler: RequestHandler): RequestHandler =>
    (req, res, next) =>
      Promise.resolve(handler(req, res, next)).catch(next)
  app.get(
    '/hit',
    wrap(async (req, res) => {
      const hits = ((await req.session.get('hits', 0)) as number) + 1
      await req.session.set('hits', hits)
      res.json({ hits })
    }),
  )
  app.get(
    '/read',
    wrap(async (req, res) => {
      res.json({
        hits: (await req.session.get('hits')) ?? null,
        blob: ((await req.session.get('blob')) as string | undefined)?.length ?? null,
      })
    }),
  )
  app.post(
    '/blob/:size',
    wrap(async (req, res) => {
      await req.session.set('blob', 'b'.repeat(Number(req.params.size)))
      res.json({ ok: true })
    }),
  )
  app.post(
    '/logout',
    wrap(async (req, res) => {
      await req.session.flush()
      res.json({ ok: true })
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

/** Cookies as a browser keeps them, from real `Set-Cookie` headers. */
class Browser {
  readonly cookies = new Map<string, string>()
  async fetch(url: string, init: RequestInit = {}): Promise<{ status: number; body: any; setCookie: string[] }> {
    const headers = new Headers(init.headers)
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
    const response = await fetch(url, { ...init, headers })
    const setCookie = response.headers.getSetCookie()
    for (const line of setCookie) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      if (/Max-Age=0/.test(line)) this.cookies.delete(pair!.slice(0, eq))
      else this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1))
    }
    return { status: response.status, body: await response.json(), setCookie }
  }
}

describe('the session cookie set never makes the next request fail (hole 1: 431 after 5 chunks)', () => {
  it('at every size from 1 KB to 40 KB, through Node HTTP: each save is a 200 or a COOKIE_TOO_LARGE 500, and the next request is a 200', async () => {
    const url = await start({ secrets: SECRET_A, chunking: true })
    const browser = new Browser()
    // The app's own cookies share the header: the session's default 6 KiB bound leaves room for them.
    browser.cookies.set('app_prefs', 'p'.repeat(1500))
    browser.cookies.set('csrftoken', 'c'.repeat(64))
    const statuses = new Set<number>()
    let largestSaved = 0
    for (let size = 1000; size <= 40_000; size += 1000) {
      const saved = await browser.fetch(`${url}/blob/${size}`, { method: 'POST' })
      statuses.add(saved.status)
      if (saved.status === 200) largestSaved = size
      else {
        expect(saved.status).toBe(500)
        expect(saved.body).toEqual({ code: 'COOKIE_TOO_LARGE' })
        expect(saved.setCookie).toEqual([])
      }
      const next = await browser.fetch(`${url}/read`)
      expect(next.status).toBe(200)
      const header = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
      expect(header.length).toBeLessThan(8 * 1024)
    }
    expect([...statuses].sort()).toEqual([200, 500])
    // Chunking still carries sessions beyond one 4 KiB cookie.
    expect(largestSaved).toBeGreaterThan(3000)
    // The session can still shrink afterwards.
    expect((await browser.fetch(`${url}/blob/10`, { method: 'POST' })).status).toBe(200)
    expect([...browser.cookies.keys()].sort()).toEqual(['app_prefs', 'csrftoken', 'sessionid'])
  })

  it('cookie.maxBytes raises the bound for a server that accepts more; the next request still succeeds', async () => {
    const url = await start({ secrets: SECRET_A, chunking: true }, { cookie: { maxBytes: 12_000 } })
    const browser = new Browser()
    let largestSaved = 0
    for (let size = 2000; size <= 20_000; size += 2000) {
      const saved = await browser.fetch(`${url}/blob/${size}`, { method: 'POST' })
      if (saved.status === 200) largestSaved = size
      expect((await browser.fetch(`${url}/read`)).status).toBe(200)
    }
    expect(largestSaved).toBeGreaterThan(6000)
    expect(largestSaved).toBeLessThan(12_000)
  })
})

describe('through @sess/express over real HTTP', () => {
  it('counts hits in a sealed cookie, and a tampered cookie is an empty session that gets removed', async () => {
    const url = await start({ secrets: SECRET_A })
    const browser = new Browser()
    for (let i = 1; i <= 3; i++) expect((await browser.fetch(`${url}/hit`)).body).toEqual({ hits: i })
    const value = browser.cookies.get('sessionid')!
    expect(value).toMatch(/^Fe26\.2\*1\*/)
    const forged = new Browser()
    forged.cookies.set(
      'sessionid',
      value.replace(/\*(.)/, (_, c: string) => `*${c === '2' ? '3' : '2'}`),
    )
    const response = await forged.fetch(`${url}/read`)
    expect(response.status).toBe(200)
    expect(response.body).toEqual({ hits: null, blob: null })
    expect(response.setCookie.some((c) => c.startsWith('sessionid=;') && c.includes('Max-Age=0'))).toBe(true)
  })

  it('re-seals a cookie of a rotated-out secret with the newest one', async () => {
    const before = await start({ secrets: [{ id: '2025_12', password: SECRET_A }] })
    const browser = new Browser()
    await browser.fetch(`${before}/hit`)
    expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*2025_12*')).toBe(true)
    const after = await start({
      secrets: [
        { id: '2026_06', password: SECRET_B },
        { id: '2025_12', password: SECRET_A },
      ],
    })
    const { body, setCookie } = await browser.fetch(`${after}/read`)
    expect(body.hits).toBe(1)
    expect(setCookie).toHaveLength(1)
    expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*2026_06*')).toBe(true)
  })

  it('two-phase secret rollout (hole 5): instances on [k2, k1] and [k1, k2] do not re-seal each other on read-only requests', async () => {
    const k1 = { id: 'k1', password: SECRET_A }
    const k2 = { id: 'k2', password: SECRET_B }
    const updated = await start({ secrets: [k2, k1] }) // A: already seals with k2
    const behind = await start({ secrets: [k1, k2] }) // B: still seals with k1, knows k2
    for (const [first, second] of [
      [behind, updated],
      [updated, behind],
    ] as const) {
      const browser = new Browser()
      await browser.fetch(`${first}/hit`)
      let reseals = 0
      for (let i = 0; i < 12; i++) {
        const { status, body, setCookie } = await browser.fetch(`${i % 2 === 0 ? second : first}/read`)
        expect(status).toBe(200)
        expect(body.hits).toBe(1)
        reseals += setCookie.length
      }
      // At most one re-seal: a k1 cookie read by the instance on k2; never back again.
      expect(reseals).toBeLessThanOrEqual(1)
      expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*k2*')).toBe(first === updated || reseals === 1)
    }
    // Writes still seal with each instance's own first secret, and every cookie keeps working on both.
    const browser = new Browser()
    await browser.fetch(`${behind}/hit`)
    await browser.fetch(`${updated}/hit`)
    expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*k2*')).toBe(true)
    expect((await browser.fetch(`${behind}/hit`)).body).toEqual({ hits: 3 })
    expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*k1*')).toBe(true)
    // After the rollout (every instance on [k2, k1]) a k1 cookie is re-sealed once, then left alone.
    const done = await start({ secrets: [k2, k1] })
    const counts: number[] = []
    for (let i = 0; i < 4; i++) counts.push((await browser.fetch(`${done}/read`)).setCookie.length)
    expect(counts).toEqual([1, 0, 0, 0])
  })

  it('splits a large session into chunks and reads it back; without chunking the save is a 500 with no session cookie', async () => {
    const url = await start({ secrets: SECRET_A, chunking: true })
    const browser = new Browser()
    await browser.fetch(`${url}/blob/3500`, { method: 'POST' })
    expect([...browser.cookies.keys()].sort()).toEqual(['sessionid.0', 'sessionid.1'])
    expect((await browser.fetch(`${url}/read`)).body).toEqual({ hits: null, blob: 3500 })
    await browser.fetch(`${url}/blob/10`, { method: 'POST' })
    expect([...browser.cookies.keys()]).toEqual(['sessionid'])
    expect((await browser.fetch(`${url}/read`)).body).toEqual({ hits: null, blob: 10 })

    const strict = await start({ secrets: SECRET_A })
    const other = new Browser()
    const failed = await other.fetch(`${strict}/blob/3500`, { method: 'POST' })
    expect(failed.status).toBe(500)
    expect(failed.body).toEqual({ code: 'COOKIE_TOO_LARGE' })
    expect(failed.setCookie).toEqual([])
  })

  it('logout expires the cookie; a deny-list hook makes the captured copy useless', async () => {
    const denied = new Set<string>()
    const url = await start({ secrets: SECRET_A, isRevoked: (key) => denied.has(key), onDestroy: (key) => void denied.add(key) })
    const browser = new Browser()
    await browser.fetch(`${url}/hit`)
    const captured = browser.cookies.get('sessionid')!
    await browser.fetch(`${url}/logout`, { method: 'POST' })
    expect(browser.cookies.size).toBe(0)
    expect(denied.size).toBe(1)
    const attacker = new Browser()
    attacker.cookies.set('sessionid', captured)
    expect((await attacker.fetch(`${url}/read`)).body).toEqual({ hits: null, blob: null })
  })
})
