import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DevicesView } from '@sess-examples/demo-kit'
import { ANONYMOUS, DemoClient } from '@sess-examples/demo-kit/testing'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorker, type WorkerBundle } from './bundle.js'

// The demo worker runs in workerd (Cloudflare's runtime, through miniflare 3) without `nodejs_compat`:
// only Web APIs. It is driven over real HTTP on 127.0.0.1 like the Node demos.
let bundle: WorkerBundle
let mf: Miniflare
let base = ''

beforeAll(async () => {
  bundle = await bundleWorker()
  mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: '2025-07-01',
    compatibilityFlags: [],
    bindings: { SESSION_SECRET: 'a-test-secret-of-at-least-32-characters!', BROKEN_STORE: 'on' },
    host: '127.0.0.1',
    port: 0,
  })
  base = (await mf.ready).origin
})
afterAll(async () => {
  await mf?.dispose()
})

describe('the worker bundle', () => {
  it('holds @sess/core, @sess/hono, @sess/memory and @sess/signed-cookie, and no Node built-in', () => {
    for (const name of ['@sess/core', '@sess/hono', '@sess/memory', '@sess/signed-cookie', 'hono']) {
      expect(bundle.imports.some((specifier) => specifier === name || specifier.startsWith(`${name}/`))).toBe(true)
    }
    expect(bundle.code).not.toMatch(/\brequire\(/)
    expect(bundle.code).not.toMatch(/from\s*["'](?:node:)?(?:crypto|fs|path|buffer|os|diagnostics_channel)["']/)
  })

  it('a Node import fails the bundle, bare or with node: (tsup turns node:crypto into crypto)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sess-workerd-'))
    try {
      for (const specifier of ['crypto', 'node:crypto', 'node:diagnostics_channel']) {
        const entry = join(dir, 'entry.js')
        writeFileSync(
          entry,
          `import * as m from '${specifier}'\nexport default { fetch: () => new Response(String(Object.keys(m).length)) }\n`,
        )
        await expect(bundleWorker(entry), specifier).rejects.toThrow()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the runtime is workerd without Node compatibility: no process, Buffer or require', async () => {
    const probe = new Miniflare({
      modules: true,
      script: 'export default { fetch: () => Response.json([typeof process, typeof Buffer, typeof require, typeof crypto.subtle]) }',
      compatibilityDate: '2025-07-01',
    })
    try {
      const answer = await probe.dispatchFetch('http://localhost/')
      expect(await answer.json()).toEqual(['undefined', 'undefined', 'undefined', 'object'])
    } finally {
      await probe.dispose()
    }
  })
})

describe('the demo API in workerd over @sess/memory', () => {
  it('serves the page and answers a new visitor without a cookie', async () => {
    const client = new DemoClient(base)
    const page = await client.call('GET', '/')
    expect(page.status).toBe(200)
    expect(page.text).toContain('<button id="login">')
    expect(page.setCookie).toEqual([])
    const view = await client.call('GET', '/api/session')
    expect(view.json).toEqual(ANONYMOUS)
    expect(view.setCookie).toEqual([])
    expect(view.vary).toMatch(/cookie/i)
  })

  it('counts under one key, logs in with a new key (the old cookie is dead), logs out', async () => {
    const client = new DemoClient(base)
    const first = await client.call('POST', '/api/counter')
    expect(first.json).toEqual({ count: 1 })
    expect(first.setCookie[0]).toMatch(/^sessionid=[a-z0-9]{32}; Max-Age=\d+; .*Path=\/; HttpOnly; SameSite=Lax$/)
    expect((await client.call('POST', '/api/counter')).json).toEqual({ count: 2 })
    const before = client.clone()
    const anonymousKey = client.key
    expect((await client.call('POST', '/api/login', { user: ' ada ' })).json).toEqual({ user: 'ada' })
    expect(client.key).not.toBe(anonymousKey)
    const view = await client.session()
    expect(view).toMatchObject({ user: 'ada', handle: client.handle, data: { count: 2 } })
    expect(Date.parse(view.expiresAt!)).toBeGreaterThan(Date.now() + 13 * 86_400_000)
    expect(await before.session()).toEqual(ANONYMOUS) // the pre-login key was destroyed
    const stolen = client.clone()
    const logout = await client.call('POST', '/api/logout')
    expect(logout.setCookie).toEqual([expect.stringMatching(/^sessionid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT/)])
    expect(await stolen.session()).toEqual(ANONYMOUS)
    expect(client.watch.leaks()).toEqual([]) // no body (page, /api/session) held a key
  })

  it("lists a user's devices by handle and signs the others out (the memory engine's user index)", async () => {
    const laptop = new DemoClient(base, { userAgent: 'laptop' })
    const phone = new DemoClient(base, { userAgent: 'phone', watch: laptop.watch })
    const user = `ada-${crypto.randomUUID()}` // the isolate's memory outlives a test: a user of its own
    for (const client of [laptop, phone]) expect((await client.call('POST', '/api/login', { user })).status).toBe(200)
    const list = (await laptop.call('GET', '/api/devices')).json as DevicesView
    expect(list.devices.map((d) => [d.handle, d.current, d.userAgent, d.ip]).sort()).toEqual(
      [
        [laptop.handle, true, 'laptop', null], // a worker has no socket to ask for the address
        [phone.handle, false, 'phone', null],
      ].sort(),
    )
    expect((await laptop.call('POST', '/api/logout-everywhere')).json).toEqual({ removed: 1 })
    expect(await phone.session()).toEqual(ANONYMOUS)
    expect((await laptop.session()).user).toBe(user)
    expect(laptop.watch.leaks()).toEqual([])
  })

  it('set, expiry, clear and cycle behave as on Node', async () => {
    const client = new DemoClient(base)
    expect((await client.call('POST', '/api/set', { key: 'theme', value: { dark: true } })).json).toEqual({ ok: true })
    const zero = await client.call('POST', '/api/expiry', { seconds: 0 })
    expect(zero.setCookie[0]).not.toMatch(/Max-Age|Expires/i)
    expect((await client.session()).expireAtBrowserClose).toBe(true)
    const key = client.key
    await client.call('POST', '/api/cycle')
    expect(client.key).not.toBe(key)
    expect((await client.session()).data).toEqual({ theme: { dark: true } })
    await client.call('POST', '/api/clear')
    expect((await client.session()).data).toEqual({})
  })

  it('an untouched route sends no cookie and no Vary; bad input is 400/413/404 and saves nothing', async () => {
    const client = new DemoClient(base)
    await client.call('POST', '/api/counter')
    const noop = await client.call('GET', '/api/noop')
    expect(noop.json).toEqual({ ok: true })
    expect(noop.setCookie).toEqual([])
    expect(noop.vary ?? '').not.toMatch(/cookie/i)
    const fresh = new DemoClient(base)
    expect((await fresh.call('POST', '/api/login', undefined, { body: '{"user": ', type: 'application/json' })).status).toBe(400)
    expect((await fresh.call('POST', '/api/login', { user: '' })).status).toBe(400)
    expect((await fresh.call('POST', '/api/expiry', { seconds: -1 })).status).toBe(400)
    expect((await fresh.call('POST', '/api/set', { key: 'big', value: 'x'.repeat(20_000) })).status).toBe(413)
    expect(await fresh.call('GET', '/api/nope')).toMatchObject({ status: 404, json: { error: 'no such endpoint' } })
    expect(fresh.key).toBeUndefined()
  })

  it('20 parallel writers on one session all survive', async () => {
    const client = new DemoClient(base)
    await client.call('POST', '/api/counter')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.clone().call('POST', '/api/set', { key: `k${i}`, value: i })),
    )
    for (const result of results) expect(result.status).toBe(200)
    const expected: Record<string, unknown> = { count: 1 }
    for (let i = 0; i < 20; i++) expected[`k${i}`] = i
    expect((await client.session()).data).toEqual(expected)
  })

  it('a failed save answers 500 JSON and no cookie, never the 200', async () => {
    const response = await new DemoClient(`${base}/broken`).call('POST', '/api/counter')
    expect(response.status).toBe(500)
    expect(response.json).toEqual({ error: 'the session could not be saved' })
    expect(response.setCookie).toEqual([])
  })
})

describe('the demo API in workerd over @sess/signed-cookie (Web Crypto)', () => {
  it('keeps the session in a sealed cookie: counts, logs in, rejects a forged cookie, logs out', async () => {
    const client = new DemoClient(`${base}/signed`)
    const first = await client.call('POST', '/api/counter')
    expect(first.json).toEqual({ count: 1 })
    expect(first.setCookie).toEqual([expect.stringMatching(/^signedid=Fe26\.2\*[^;]+; Max-Age=\d+; .*Path=\/; HttpOnly; SameSite=Lax$/)])
    expect((await client.call('POST', '/api/login', { user: 'grace' })).json).toEqual({ user: 'grace' })
    expect(await client.session()).toMatchObject({ user: 'grace', data: { count: 1 } })
    // The session lives in the browser: the worker keeps no list of grace's sessions to show or end.
    expect(await client.call('GET', '/api/devices')).toMatchObject({ status: 501, json: { error: expect.stringMatching(/no index/) } })
    const sealed = client.cookies.get('signedid')!
    expect(sealed).not.toContain('grace')
    const forged = new DemoClient(client.base)
    forged.cookies.set('signedid', `${sealed.slice(0, -4)}AAAA`)
    expect((await forged.session()).data).toEqual({})
    const logout = await client.call('POST', '/api/logout')
    expect(logout.setCookie).toEqual([expect.stringMatching(/^signedid=; Max-Age=0/)])
    expect((await client.session()).data).toEqual({})
  })
})
