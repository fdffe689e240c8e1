import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSessions, type Sessions } from '@sess/core'
import type { DemoData, DevicesView } from '@sess-examples/demo-kit'
import { ANONYMOUS, DemoClient, describeDemoApi } from '@sess-examples/demo-kit/testing'
import { sqliteEngine } from '@sess/sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningNext, startNext } from './test-next.js'
import { serveStores } from './test-store-server.js'

// The JSON API contract shared by every demo, against the built app under `next start` over a real SQLite
// file. The test's own `sessions` open the same file (to check what was stored); the failing-store case
// serves the suite's broken engine to the Next server (src/test-store-server.ts).
describeDemoApi('next', {
  peerAddress: false, // a Route Handler is not told it
  async start({ dbPath }) {
    const next = await startNext({ SESS_DEMO_DB: dbPath! })
    const sessions = createSessions<DemoData>({ engine: sqliteEngine({ path: dbPath! }) })
    return {
      url: next.url,
      sessions,
      async close() {
        await next.close()
        await sessions.dispose()
      },
    }
  },
  async serve(sessions) {
    const stores = await serveStores()
    stores.add('demo', sessions.store)
    const next = await startNext({ SESS_DEMO_STORE_URL: `${stores.url}/demo` })
    return {
      url: next.url,
      async close() {
        await next.close()
        await stores.close()
        await sessions.dispose()
      },
    }
  },
})

/** A browser without JavaScript: posts a page's Server Action form (Next's progressive enhancement). */
async function postAction(client: DemoClient, page: string, button: string, fields: Record<string, string> = {}) {
  const html = (await client.call('GET', page)).text
  const form = html.split('<form').find((f) => f.includes(`id="${button}"`))
  const action = form?.match(/name="(\$ACTION_ID_[0-9a-f]+)"/)?.[1]
  expect(action, `the ${button} form has a Server Action`).toBeDefined()
  const body = new FormData()
  body.set(action!, '')
  for (const [name, value] of Object.entries(fields)) body.set(name, value)
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  const response = await fetch(client.base + page, { method: 'POST', body, headers: cookie ? { cookie } : {} })
  const setCookie = response.headers.getSetCookie()
  for (const c of setCookie) {
    const [pair = ''] = c.split(';')
    const [name = '', value = ''] = pair.split('=')
    if (value === '' || /Max-Age=0/i.test(c)) client.cookies.delete(name)
    else client.cookies.set(name, value)
  }
  return { status: response.status, setCookie, html: await response.text() }
}

const shownData = (html: string) => JSON.parse(html.match(/<pre id="data">([^<]*)<\/pre>/)![1]!.replaceAll('&quot;', '"'))

describe('the next demo: Server Components, Server Actions and proxy', () => {
  let next: RunningNext
  let dir = ''
  let sessions: Sessions<DemoData>
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sess-next-demo-'))
    const dbPath = join(dir, 'sessions.sqlite3')
    next = await startNext({ SESS_DEMO_DB: dbPath, SESS_DEMO_SECRET: 'a-test-secret-of-at-least-32-characters!' })
    sessions = createSessions<DemoData>({ engine: sqliteEngine({ path: dbPath }) })
  })
  afterAll(async () => {
    await next?.close()
    await sessions?.dispose()
    rmSync(dir, { recursive: true, force: true })
  })

  it('a Server Component reads the session; its write rejects with SessionError COMMITTED and sends no cookie', async () => {
    const client = new DemoClient(next.url)
    await client.call('POST', '/api/counter')
    const page = await client.call('GET', '/rsc')
    expect(page.status).toBe(200)
    expect(shownData(page.text)).toEqual({ count: 1 })
    expect(page.text).toContain('<p id="write">rejected: COMMITTED</p>')
    expect(page.setCookie).toEqual([])
    expect((await client.session()).data).toEqual({ count: 1 }) // the rejected write left nothing behind
  })

  it('Server Actions write through getSession + commitSession: count, login with a new key, logout', async () => {
    const client = new DemoClient(next.url)
    const first = await postAction(client, '/rsc', 'count')
    expect(first.status).toBe(200)
    expect(first.setCookie).toEqual([
      expect.stringMatching(/^sessionid=[a-z0-9]{32}; Path=\/; Expires=.*; Max-Age=\d+; HttpOnly; SameSite=lax$/i),
    ])
    const second = await postAction(client, '/rsc', 'count')
    expect(shownData(second.html)).toEqual({ count: 2 }) // the page rendered after the action sees its save
    const anonymousKey = client.key!
    expect(shownData((await client.call('GET', '/rsc')).text)).toEqual({ count: 2 })

    const login = await postAction(client, '/rsc', 'login', { user: 'grace' })
    expect(shownData(login.html)).toEqual({ count: 2 }) // under the new key
    expect(client.key).not.toBe(anonymousKey)
    expect(await sessions.exists(anonymousKey)).toBe(false)
    expect(await client.session()).toMatchObject({ user: 'grace', handle: client.handle, data: { count: 2 } })
    for (const html of [login.html, (await client.call('GET', '/rsc')).text]) expect(html).not.toContain(client.key!)
    const [device] = ((await client.call('GET', '/api/devices')).json as DevicesView).devices
    expect(device).toMatchObject({ handle: client.handle, current: true, userAgent: expect.any(String) })

    const loggedIn = client.key!
    const logout = await postAction(client, '/rsc', 'logout')
    // Next re-serializes what cookies().set gets: the removal keeps its 1970 Expires (it drops Max-Age=0).
    expect(logout.setCookie).toEqual([
      expect.stringMatching(/^sessionid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=lax$/i),
    ])
    expect(await sessions.exists(loggedIn)).toBe(false)
    expect(await client.session()).toEqual(ANONYMOUS)
  })

  it('proxy serves the API over @sess/signed-cookie: the session lives in a sealed cookie, never in SQLite', async () => {
    const client = new DemoClient(`${next.url}/signed`)
    const first = await client.call('POST', '/api/counter')
    expect(first.json).toEqual({ count: 1 })
    expect(first.setCookie).toEqual([expect.stringMatching(/^signedid=Fe26\.2\*[^;]+; Max-Age=\d+; .*Path=\/; HttpOnly; SameSite=Lax$/)])
    expect(first.vary).toMatch(/cookie/i)
    expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 2 })
    expect((await client.call('POST', '/api/login', { user: 'ada' })).json).toEqual({ user: 'ada' })
    const view = await client.session()
    expect(view).toMatchObject({ user: 'ada', data: { count: 2 }, handle: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) })
    const sealed = client.cookies.get('signedid')!
    // The seal is encrypted: no trace of the data's JSON (a bare 'ada' can occur in the hex MAC by chance).
    for (const plain of ['"ada"', '%22ada%22', 'count']) expect(sealed).not.toContain(plain)
    // Signed cookies live in the browser: the server keeps no list of a user's sessions to show or end.
    for (const [method, path] of [
      ['GET', '/api/devices'],
      ['POST', '/api/logout-everywhere'],
    ] as const) {
      const devices = await client.call(method, path)
      expect(devices.status, path).toBe(501)
      expect(devices.json.error).toMatch(/no index/)
    }

    const forged = new DemoClient(client.base)
    forged.cookies.set('signedid', `${sealed.slice(0, -4)}AAAA`)
    expect((await forged.session()).data).toEqual({})

    const noop = await client.call('GET', '/api/noop')
    expect(noop.setCookie).toEqual([])
    expect(noop.vary ?? '').not.toMatch(/cookie/i)
    const logout = await client.call('POST', '/api/logout')
    expect(logout.setCookie).toEqual([expect.stringMatching(/^signedid=; Max-Age=0/)])
    expect(client.cookies.has('sessionid')).toBe(false)
    expect(client.watch.leaks()).toEqual([]) // no body held a sealed cookie
  })
})
