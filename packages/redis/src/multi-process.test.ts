import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DATABASE_URL } from './test-cached-db.js'
import type { AppConfig } from './test-app.js'
import { ownRedis } from './test-server.js'
import { call, CookieJar, startApp, type App } from './test-spawn.js'
import { REDIS_URL, uniquePrefix } from './test-support.js'

const prefix = uniquePrefix('multi')

const table = `sess_test_multi_${process.pid}_${randomBytes(3).toString('hex')}`
afterAll(async () => {
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 })
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
})

const setups: Array<[string, AppConfig]> = [
  ['redis (node-redis)', { store: 'redis', client: 'node-redis', redisUrl: REDIS_URL, prefix: `${prefix}node:` }],
  ['redis (ioredis)', { store: 'redis', client: 'ioredis', redisUrl: REDIS_URL, prefix: `${prefix}io:` }],
  ['cached-db (redis over postgres)', { store: 'cached-db', client: 'node-redis', redisUrl: REDIS_URL, prefix: `${prefix}cdb:`, table }],
]

describe('many processes on one shared store', () => {
  for (const [label, config] of setups) {
    describe(label, () => {
      let a: App
      let b: App
      beforeAll(async () => {
        ;[a, b] = await Promise.all([startApp(config, 'file'), startApp(config, 'file')])
        expect(b.proc.pid).not.toBe(a.proc.pid)
      }, 60_000)

      it('login on one process is seen by the other; logout on the other is seen by the first', async () => {
        const jar = new CookieJar()
        const login = await call(jar, `${a.url}/login?user=alice`, 'POST')
        expect(login.status).toBe(200)
        const seen = await call(jar, `${b.url}/whoami`)
        expect(seen).toEqual({ status: 200, body: { user: 'alice', pid: b.proc.pid } })

        const logout = await call(jar, `${b.url}/logout`, 'POST')
        expect(logout.status).toBe(200)
        expect(jar.header() ?? '').not.toContain('sessionid=')
        const after = await call(jar, `${a.url}/whoami`)
        expect(after.body.user).toBeNull()
      })

      it('a logged-out cookie replayed on the other process is dead', async () => {
        const jar = new CookieJar()
        await call(jar, `${a.url}/login?user=bob`, 'POST')
        const copy = new CookieJar()
        copy.apply([`sessionid=${jar.cookies.get('sessionid')!.value}`])
        await call(jar, `${b.url}/logout`, 'POST')
        expect((await call(copy, `${a.url}/whoami`)).body.user).toBeNull()
      })

      it('a user signed in on two devices through one process is listed and signed out everywhere from the other', async () => {
        const user = `multi-${randomBytes(4).toString('hex')}`
        const [laptop, phone, desk] = [new CookieJar(), new CookieJar(), new CookieJar()]
        const signIn = async (jar: CookieJar, device: string): Promise<string> => {
          expect((await call(jar, `${a.url}/sign-in?user=${user}&device=${device}`, 'POST')).status).toBe(200)
          const { body } = await call(jar, `${a.url}/devices?user=${user}`)
          return body.devices.find((d: { current: boolean }) => d.current).handle
        }
        const handles = { laptop: await signIn(laptop, 'laptop'), phone: await signIn(phone, 'phone'), desk: await signIn(desk, 'desk') }
        const listed = await call(desk, `${b.url}/devices?user=${user}`)
        expect(listed.status).toBe(200)
        expect(listed.body.devices.map((d: { handle: string }) => d.handle).sort()).toEqual(Object.values(handles).sort())
        expect(listed.body.devices.find((d: { current: boolean }) => d.current).device).toBe('desk')
        expect((await call(laptop, `${b.url}/entries`)).body).toEqual({ device: 'laptop' })
        // "Sign out everywhere else" from the desk, through B.
        const out = await call(desk, `${b.url}/sign-out-everywhere?user=${user}&except=1`, 'POST')
        expect(out.body).toEqual({ removed: 2, pid: b.proc.pid })
        for (const jar of [laptop, phone]) {
          const copy = new CookieJar()
          copy.apply([`sessionid=${jar.cookies.get('sessionid')!.value}`])
          expect((await call(jar, `${a.url}/entries`)).body).toEqual({})
          expect((await call(copy, `${b.url}/entries`)).body).toEqual({})
        }
        const left = await call(desk, `${a.url}/devices?user=${user}`)
        expect(left.body.devices).toEqual([{ handle: handles.desk, current: true, device: 'desk' }])
        expect((await call(desk, `${a.url}/sign-out-everywhere?user=${user}`, 'POST')).body.removed).toBe(1)
        expect((await call(desk, `${b.url}/devices?user=${user}`)).body.devices).toEqual([])
      })

      it('50 parallel requests spread over both processes, setting distinct keys, all survive', async () => {
        const jar = new CookieJar()
        expect((await call(jar, `${a.url}/set?k=start&v=0`, 'POST')).status).toBe(200)
        const cookie = jar.header()!
        const results = await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const response = await fetch(`${(i % 2 ? a : b).url}/set?k=k${i}&v=${i}`, { method: 'POST', headers: { cookie } })
            const body = (await response.json()) as { pid: number; error?: string }
            return { status: response.status, pid: body.pid, error: body.error }
          }),
        )
        expect(
          results.filter((r) => r.status !== 200),
          a.stderr() + b.stderr(),
        ).toEqual([])
        expect(new Set(results.map((r) => r.pid))).toEqual(new Set([a.proc.pid, b.proc.pid]))
        const { body } = await call(jar, `${b.url}/entries`)
        expect(body).toEqual({ start: '0', ...Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, String(i)])) })
      })
    })
  }
})

describe('an app process when its Redis dies and comes back', () => {
  for (const client of ['node-redis', 'ioredis'] as const) {
    it(`${client}: answers 500 in bounded time, does not crash, and serves again after the restart without a restart of its own`, async () => {
      const server = await ownRedis()
      await server.start()
      try {
        const app = await startApp({ store: 'redis', client, redisUrl: server.url, prefix: 'faults:', commandTimeoutMs: 300 })
        const jar = new CookieJar()
        expect((await call(jar, `${app.url}/login?user=carol`, 'POST')).status).toBe(200)
        expect((await call(jar, `${app.url}/whoami`)).body.user).toBe('carol')

        await server.kill()
        for (const [path, method] of [
          ['/whoami', 'GET'],
          ['/set?k=x&v=1', 'POST'],
          ['/login?user=dave', 'POST'],
        ] as const) {
          const started = performance.now()
          const response = await fetch(`${app.url}${path}`, { method, headers: { cookie: jar.header()! } })
          expect(response.status, path).toBe(500)
          expect(await response.json()).toEqual({ error: 'ENGINE' })
          expect(performance.now() - started).toBeLessThan(3 * 300 + 2_000) // bounded, never a hang
        }
        expect(app.proc.exitCode).toBeNull()

        await server.start()
        const fresh = new CookieJar()
        let status = 0
        for (let i = 0; i < 300 && status !== 200; i++) {
          status = (await call(fresh, `${app.url}/login?user=erin`, 'POST').catch(() => ({ status: 0 }))).status
          if (status !== 200) await sleep(50)
        }
        expect(status).toBe(200)
        expect((await call(fresh, `${app.url}/whoami`)).body.user).toBe('erin')
        expect(app.proc.exitCode).toBeNull()
        expect(app.stderr()).not.toMatch(/unhandled/i)
        expect(
          app
            .stderr()
            .split('\n')
            .filter((line) => line && !line.startsWith('app-error ENGINE')),
        ).toEqual([])
      } finally {
        await server.kill()
      }
    })
  }
})
