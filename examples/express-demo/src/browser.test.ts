/**
 * What only a browser does with cookies — HttpOnly, SameSite, session cookies, two browsers signed in as one
 * user — checked in a real one:
 * playwright-core driving Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it) against
 * the demo over SQLite on an ephemeral port.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sessionHandle } from '@sess/core/engine'
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

async function sessionCookie(of: BrowserContext = context): Promise<Cookie | undefined> {
  return (await of.cookies(demo.url)).find((c) => c.name === 'sessionid')
}

/** How many times the page has shown the session and the devices (`data-refreshes`, set when both are shown). */
async function refreshes(on: Page): Promise<number> {
  return Number((await on.getAttribute('body', 'data-refreshes')) ?? 0)
}

/** Waits until a freshly loaded page has shown the session and the devices (its first refresh is done). */
async function loaded(on: Page = page): Promise<void> {
  await on.waitForFunction(() => document.body.dataset.refreshes === '1')
}

/** Opens the demo page and waits until it has shown the session. */
async function open(on: Page = page): Promise<void> {
  await on.goto(demo.url)
  await loaded(on)
}

/**
 * Clicks a button of the demo page and waits until the page has shown the result and refreshed.
 * @param id - the button's id, which the status line starts with; or `[selector, status]` for a row's button.
 */
async function click(id: string | [selector: string, status: string], on: Page = page): Promise<void> {
  const [selector, status] = typeof id === 'string' ? [`#${id}`, id] : id
  const before = await refreshes(on)
  await on.click(selector)
  await on.waitForFunction((n) => Number(document.body.dataset.refreshes) > n, before)
  expect(await on.textContent('#status')).toMatch(new RegExp(`^${status}: `))
  expect(await on.getAttribute('#status', 'class')).not.toBe('error')
}

async function shownData(on: Page = page): Promise<Record<string, unknown>> {
  return JSON.parse((await on.textContent('#data')) ?? 'null') as Record<string, unknown>
}

/** Logs the page in as `user` (the name field, then the button). */
async function logIn(user: string, on: Page = page): Promise<void> {
  await on.fill('#login-name', user)
  await click('login', on)
}

/** The device list as the page shows it. */
function shownDevices(on: Page = page): Promise<Array<{ handle: string; current: boolean; text: string }>> {
  return on.$$eval('#device-rows tr', (rows) =>
    rows.map((row) => ({
      handle: (row as HTMLElement).dataset.handle ?? '',
      current: row.classList.contains('current'),
      text: row.textContent ?? '',
    })),
  )
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
  it('login survives a reload; the page shows the handle, never the key', async () => {
    await open()
    expect(await shownData()).toEqual({})
    expect(await page.textContent('#user')).toBe('(nobody)')
    await logIn('ada')
    const cookie = await sessionCookie()
    expect(cookie?.value).toMatch(/^[a-z0-9]{32}$/)
    await page.reload()
    await loaded()
    expect(await page.textContent('#user')).toBe('ada')
    expect(await page.textContent('#handle')).toBe(sessionHandle(cookie!.value))
    expect(await page.textContent('#devices-note')).toBe('ada is signed in on 1 device.')
    expect(await page.content()).not.toContain(cookie!.value) // not in the page, not in what its script wrote into it
    expect(seen.filter((r) => r.url === '/api/session').at(-1)?.cookie).toBe(`sessionid=${cookie!.value}`)
  })

  // Each case signs in a user of its own: the demo's database outlives a case (and its browser context).
  it('two browsers signed in as one user: both listed, one signs the other out everywhere else', async () => {
    // A user agent is the visitor's to choose: this one is HTML, which the page must show as text.
    const phoneContext = await browser.newContext({ userAgent: 'sess-demo-test <img id="injected" src="x"> phone' })
    try {
      const phone = await phoneContext.newPage()
      await open()
      await logIn('hedy')
      await open(phone)
      await logIn('hedy', phone)
      const laptopKey = (await sessionCookie())!.value
      const phoneKey = (await sessionCookie(phoneContext))!.value

      await page.reload()
      await loaded()
      const devices = await shownDevices()
      expect(devices.map((d) => [d.handle, d.current]).sort()).toEqual(
        [
          [sessionHandle(laptopKey), true],
          [sessionHandle(phoneKey), false],
        ].sort(),
      )
      expect(devices.find((d) => d.current)!.text).toContain('this device')
      expect(devices.find((d) => !d.current)!.text).toContain('sess-demo-test <img id="injected" src="x"> phone')
      expect(await page.$('#injected')).toBeNull()
      const html = await page.content()
      for (const key of [laptopKey, phoneKey]) expect(html).not.toContain(key)

      await click('logout-everywhere')
      expect(await page.textContent('#status')).toBe('logout-everywhere: {"removed":1}')
      expect((await shownDevices()).map((d) => d.handle)).toEqual([sessionHandle(laptopKey)])
      expect(await page.isHidden('#logout-everywhere')).toBe(true) // nothing else to sign out

      // The phone's next page load shows it signed out; the laptop stays signed in.
      await phone.reload()
      await loaded(phone)
      expect(await phone.textContent('#user')).toBe('(nobody)')
      expect(await phone.textContent('#handle')).toBe('(none: nothing saved yet)')
      expect(await phone.textContent('#devices-note')).toBe('Log in to see the devices you are signed in on.')
      expect(await shownDevices(phone)).toEqual([])
      await page.reload()
      await loaded()
      expect(await page.textContent('#user')).toBe('hedy')
    } finally {
      await phoneContext.close()
    }
  })

  it("a device signs another out from that device's row", async () => {
    const phoneContext = await browser.newContext({ userAgent: 'sess-demo-test phone' })
    try {
      const phone = await phoneContext.newPage()
      await open()
      await logIn('grace')
      await open(phone)
      await logIn('grace', phone)
      const laptopHandle = sessionHandle((await sessionCookie())!.value)
      expect((await shownDevices(phone)).map((d) => d.handle)).toContain(laptopHandle)

      await click([`#device-rows tr[data-handle="${laptopHandle}"] button.device-logout`, 'device-logout'], phone)
      expect((await shownDevices(phone)).map((d) => d.current)).toEqual([true])
      await page.reload()
      await loaded()
      expect(await page.textContent('#user')).toBe('(nobody)')
    } finally {
      await phoneContext.close()
    }
  })

  it('logout removes the cookie', async () => {
    await open()
    await click('login')
    expect(await sessionCookie()).toBeDefined()
    await click('logout')
    expect(await sessionCookie()).toBeUndefined()
    await page.reload()
    await loaded()
    expect(await shownData()).toEqual({})
    expect(await page.textContent('#user')).toBe('(nobody)')
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
