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
    const before = await start({ secrets: [{ id: 'old', password: SECRET_A }] })
    const browser = new Browser()
    await browser.fetch(`${before}/hit`)
    expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*old*')).toBe(true)
    const after = await start({
      secrets: [
        { id: 'new', password: SECRET_B },
        { id: 'old', password: SECRET_A },
      ],
    })
    const { body, setCookie } = await browser.fetch(`${after}/read`)
    expect(body.hits).toBe(1)
    expect(setCookie).toHaveLength(1)
    expect(browser.cookies.get('sessionid')!.startsWith('Fe26.2*new*')).toBe(true)
  })

  it('splits a large session into chunks and reads it back; without chunking the save is a 500 with no session cookie', async () => {
    const url = await start({ secrets: SECRET_A, chunking: true })
    const browser = new Browser()
    await browser.fetch(`${url}/blob/7000`, { method: 'POST' })
    expect([...browser.cookies.keys()].sort()).toEqual(['sessionid.0', 'sessionid.1', 'sessionid.2'])
    expect((await browser.fetch(`${url}/read`)).body).toEqual({ hits: null, blob: 7000 })
    await browser.fetch(`${url}/blob/10`, { method: 'POST' })
    expect([...browser.cookies.keys()]).toEqual(['sessionid'])
    expect((await browser.fetch(`${url}/read`)).body).toEqual({ hits: null, blob: 10 })

    const strict = await start({ secrets: SECRET_A })
    const other = new Browser()
    const failed = await other.fetch(`${strict}/blob/7000`, { method: 'POST' })
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
