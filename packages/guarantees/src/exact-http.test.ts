import { CookieJar } from '@sess/engine-tests'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startApp } from './test-app.js'
import { freshSpec, removeStorage, type EngineSpec } from './test-engines.js'

const KINDS: Array<EngineSpec['kind']> = ['memory', 'sqlite', 'file', 'cached-db', 'redis', 'postgres']

async function client(kind: EngineSpec['kind']) {
  const spec = freshSpec(kind)
  const app = await startApp(spec)
  onTestFinished(async () => {
    await app.close()
    await removeStorage(spec)
  })
  const base = `http://127.0.0.1:${app.port}`
  return async (method: string, path: string, jar: CookieJar) => {
    const cookie = jar.header()
    const response = await fetch(base + path, { method, headers: cookie ? { cookie } : {} })
    jar.apply(response.headers.getSetCookie())
    return { status: response.status, json: (await response.json()) as Record<string, unknown> }
  }
}

describe.each(KINDS)('exact by construction over HTTP (Express 5) on %s', (kind) => {
  it('50 parallel increments through modify, each awaiting 5 ms before its write, end at exactly 50', async () => {
    const request = await client(kind)
    const jar = new CookieJar()
    expect((await request('POST', '/increment', jar)).json).toEqual({ count: 1 })
    const responses = await Promise.all(Array.from({ length: 49 }, () => request('POST', '/increment', jar.clone())))
    expect(responses.map((r) => r.status)).toEqual(Array(49).fill(200))
    expect((await request('GET', '/data', jar)).json.count).toBe(50)
  })

  it('20 parallel pushes onto one array, each awaiting 5 ms before its write, keep all 20', async () => {
    const request = await client(kind)
    const jar = new CookieJar()
    await request('POST', '/push?item=first', jar)
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => request('POST', `/push?item=i${i}`, jar.clone())))
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200))
    const items = (await request('GET', '/data', jar)).json.items as string[]
    expect([...items].sort()).toEqual(['first', ...Array.from({ length: 20 }, (_, i) => `i${i}`)].sort())
  })
})
