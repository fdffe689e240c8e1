/**
 * What only a browser does with cookies — HttpOnly, SameSite, session cookies — checked in a real one:
 * playwright-core driving Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it) against
 * the demo over SQLite on an ephemeral port.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startServer, type RunningDemo } from './start.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A request the demo received: enough to tell whether the browser sent the session cookie. */
interface Seen {
  method: string
  url: string
  cookie: string | undefined
}

let dir: string
let demo: RunningDemo
let browser: Browser
let context: BrowserContext
let page: Page
const seen: Seen[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sess-browser-'))
  demo = await startServer({ port: 0, dbPath: join(dir, 'sessions.sqlite3') }) // http://localhost:<port>
  demo.server.prependListener('request', (req: IncomingMessage) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', cookie: req.headers.cookie })
  })
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 60_000 })
  } catch (error) {
    const started = demo
    demo = undefined as unknown as RunningDemo // afterAll must not close it twice
    await started.close()
    throw error
  }
}, 90_000)

afterAll(async () => {
  try {
    await browser?.close()
  } finally {
    await demo?.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

beforeEach(async () => {
  context = await browser.newContext()
  page = await context.newPage()
  seen.length = 0
})

afterEach(async () => {
  await context?.close()
})

async function sessionCookie(): Promise<Cookie | undefined> {
  return (await context.cookies(demo.url)).find((c) => c.name === 'sessionid')
}

/** Opens the demo page and waits until it has shown the session (its first /api/session call is done). */
async function open(): Promise<void> {
  await page.goto(demo.url)
  await shownData()
}

/** Clicks a button of the demo page and waits until the page has shown the result and refreshed. */
async function click(id: string): Promise<void> {
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/session'))
  await page.click(`#${id}`)
  await refreshed
  await expect.poll(() => page.textContent('#status'), { timeout: 10_000 }).toMatch(new RegExp(`^${id}`))
  expect(await page.getAttribute('#status', 'class')).not.toBe('error')
}

async function shownData(): Promise<Record<string, unknown>> {
  await page.waitForFunction(() => document.getElementById('data')?.textContent !== '…')
  return JSON.parse((await page.textContent('#data')) ?? 'null') as Record<string, unknown>
}

/** A second origin, `http://127.0.0.1:<port>`: another site than `http://localhost:<port>`. Serves `pages[path]`. */
async function otherSite(pages: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const html = pages[req.url ?? '']
    if (html === undefined) res.writeHead(404).end()
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><body>${html}</body>`)
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections()
        server.close(() => done())
      }),
  }
}

/** The count stored under `key`, asked from Node (no browser). */
async function storedCount(key: string): Promise<unknown> {
  const response = await fetch(`http://127.0.0.1:${demo.port}/api/session`, { headers: { cookie: `sessionid=${key}` } })
  return ((await response.json()) as { data: { count?: unknown } }).data.count
}

describe('the Express demo in Chromium', () => {
  it('login survives a reload', async () => {
    await open()
    expect(await shownData()).toEqual({})
    await page.fill('#login-name', 'ada')
    await click('login')
    const cookie = await sessionCookie()
    expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/)
    await page.reload()
    expect(await shownData()).toEqual({ user: 'ada' })
    expect(await page.textContent('#key')).toBe(cookie!.value)
    expect(seen.filter((r) => r.url === '/api/session').at(-1)?.cookie).toBe(`sessionid=${cookie!.value}`)
  })

  it('logout removes the cookie', async () => {
    await open()
    await click('login')
    expect(await sessionCookie()).toBeDefined()
    await click('logout')
    expect(await sessionCookie()).toBeUndefined()
    await page.reload()
    expect(await shownData()).toEqual({})
  })

  it('the session cookie is HttpOnly: invisible to document.cookie', async () => {
    await open()
    await click('counter')
    const cookie = await sessionCookie()
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    expect(await page.evaluate(() => document.cookie)).not.toContain('sessionid')
    // The page's script can still set and read a cookie of its own: the check above is not vacuous.
    await page.evaluate(() => {
      // biome-ignore lint/suspicious/noDocumentCookie: the test proves script can set its own cookie
      document.cookie = 'visible=1; path=/'
    })
    expect(await page.evaluate(() => document.cookie)).toContain('visible=1')
  })

  it('after setExpiry(0) the cookie has no expiry (it ends with the browser)', async () => {
    await open()
    await click('counter')
    const persistent = await sessionCookie()
    expect(persistent!.expires).toBeGreaterThan(Date.now() / 1000 + 13 * 86_400)
    await click('expiry0')
    const browserSession = await sessionCookie()
    expect(browserSession?.value).toBe(persistent!.value)
    expect(browserSession?.expires).toBe(-1)
    expect(await page.textContent('#browser-close')).toBe('true')
    await click('expiry-default')
    expect((await sessionCookie())!.expires).toBeGreaterThan(Date.now() / 1000 + 13 * 86_400)
  })

  it('a SameSite=Lax cookie is not sent on a cross-site POST (another localhost origin)', async () => {
    await open()
    await click('counter')
    const key = (await sessionCookie())!.value
    const target = `${demo.url}/api/counter`
    const form = `<form id="f" method="post" action="${target}"></form>`
    const posted = () => seen.find((r) => r.method === 'POST' && r.url === '/api/counter')

    // Same site first: the same form on the demo's own page does send the cookie (so the test can fail).
    seen.length = 0
    await page.evaluate((html) => document.body.insertAdjacentHTML('beforeend', html), form)
    await Promise.all([page.waitForURL(target), page.evaluate(() => (document.getElementById('f') as HTMLFormElement).submit())])
    expect(posted()?.cookie).toBe(`sessionid=${key}`)
    expect(await storedCount(key)).toBe(2)

    const attacker = await otherSite({
      '/post': `${form}<script>document.getElementById('f').submit()</script>`,
      '/link': `<a id="go" href="${demo.url}/api/noop">go</a>`,
    })
    try {
      // Another site auto-submits the form to the demo: the browser leaves the Lax cookie out.
      seen.length = 0
      await Promise.all([page.waitForURL(target), page.goto(`${attacker.url}/post`)])
      expect(posted()).toBeDefined()
      expect(posted()!.cookie ?? '').not.toContain('sessionid=')
      expect(await storedCount(key)).toBe(2) // the visitor's session was not touched

      // A top-level GET link from that site does carry the Lax cookie: the POST result is SameSite's doing.
      const current = (await sessionCookie())!.value
      seen.length = 0
      await page.goto(`${attacker.url}/link`)
      await Promise.all([page.waitForURL(`${demo.url}/api/noop`), page.click('#go')])
      expect(seen.find((r) => r.url === '/api/noop')?.cookie).toContain(`sessionid=${current}`)
    } finally {
      await attacker.close()
    }
  })
})
