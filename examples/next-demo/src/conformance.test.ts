import { CookieJar, describeBinding } from '@sess/engine-tests'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type RunningNext, startNext } from './test-next.js'
import { type StoreServer, serveStores } from './test-store-server.js'

// The binding suite against the built demo under `next start`: every scenario is served by the one Next.js
// server (app/conformance/[scenario]/…, @sess/next's withSession) over the suite's own engine, which this
// process serves to the server's remote engine (see src/test-store-server.ts).
let next: RunningNext
let stores: StoreServer
let scenarios = 0

beforeAll(async () => {
  stores = await serveStores()
  next = await startNext({ SESS_CONFORMANCE_STORE_URL: stores.url })
})
afterAll(async () => {
  await next?.close()
  await stores?.close()
})

describeBinding('next (withSession in a Route Handler, next build + next start)', {
  async start(sessions, settings) {
    const id = `s${++scenarios}`
    const remove = stores.add(id, sessions.store, settings) // the Next side makes its sessions with these settings
    return { url: `${next.url}/conformance/${id}`, close: async () => void remove() }
  },
  extra({ setup }) {
    it('getSession + commitSession in a Route Handler: one session per request, its cookie next to the app’s own, later writes refused', async () => {
      const { request, url } = await setup()
      const path = url.slice(next.url.length)
      const jar = new CookieJar()
      const first = await request('GET', '/via-headers/counter', jar)
      expect(first.json).toEqual({ count: 1, sameSession: true, late: 'COMMITTED' })
      expect(first.setCookie.filter((c) => c.startsWith('sessionid='))).toHaveLength(1)
      expect(jar.get('app')).toBe('via-headers')
      expect((await request('GET', '/via-headers/counter', jar)).json).toEqual({ count: 2, sameSession: true, late: 'COMMITTED' })
      expect((await request('GET', '/data', jar)).json).toEqual({ count: 2 })
      expect(path).toMatch(/^\/conformance\/s\d+$/)
    })

    it('without the test variable the conformance routes do not exist', async () => {
      const plain = await startNext()
      try {
        const response = await fetch(`${plain.url}/conformance/s1/counter`)
        expect(response.status).toBe(404)
        expect(response.headers.getSetCookie()).toEqual([])
      } finally {
        await plain.close()
      }
    })
  },
})
