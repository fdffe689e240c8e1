import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeDemoApi } from '@sess-examples/demo-kit/testing'
import { describe, expect, it, onTestFinished } from 'vitest'
import type { DevicesView } from '@sess-examples/demo-kit'
import { createApp, type SessionView } from './app.js'
import { listen, startServer } from './start.js'

// The JSON API contract shared by the three demos, through real HTTP over SQLite (on @hono/node-server),
// and a failing store.
describeDemoApi('hono', { start: startServer, listen })

describe('the hono demo on the Web-standard fetch path (app.request, no server)', () => {
  it('logs in and counts through app.request, the way it runs on workers, Bun and Deno', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sess-hono-demo-'))
    const demo = await startServer({ port: 0, host: '127.0.0.1', dbPath: join(dir, 'sessions.sqlite3') })
    onTestFinished(async () => {
      await demo.close()
      rmSync(dir, { recursive: true, force: true })
    })
    const app = createApp(demo.sessions)
    const login = await app.request('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'ada' }),
    })
    expect(await login.json()).toEqual({ user: 'ada' })
    const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!
    const counter = await app.request('/api/counter', { method: 'POST', headers: { cookie } })
    expect(await counter.json()).toEqual({ count: 1 })
    const view = (await (await app.request('/api/session', { headers: { cookie } })).json()) as SessionView
    expect(view).toMatchObject({ user: 'ada', data: { count: 1 }, handle: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) })
    // No socket on this path (as on a worker): the device is listed without an address.
    const devices = (await (await app.request('/api/devices', { headers: { cookie, 'user-agent': 'fetch-path' } })).json()) as DevicesView
    expect(devices.devices.map((d) => [d.handle, d.current, d.ip])).toEqual([[view.handle, true, null]])
  })
})
