import { join } from 'node:path'
import { importExports } from '../sess.js'
import type { Micro } from './micro.js'
import type { EngineEnv } from './types.js'

interface SessionLike {
  get(key: string, fallback?: unknown): Promise<any>
  set(key: string, value: unknown): Promise<void>
}
interface SessionsLike {
  load(cookie: string | undefined): SessionLike
  commit(session: SessionLike, options?: { status: number; final?: boolean }): { setCookie: string[] } | Promise<{ setCookie: string[] }>
}

/**
 * The whole session layer of one request without HTTP or a framework: `sessions.load(cookie)`, the route's
 * session calls, `sessions.commit()`. This is the floor a binding adds its own cost to (the HTTP /hit
 * overhead minus this = the binding's share).
 */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const { createSessions } = await importExports('@sess/core', ['createSessions'])
  const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
  const engines: Array<[string, () => Promise<unknown>]> = [
    ['memory', async () => memoryEngine()],
    [
      'sqlite',
      async () => (await importExports('@sess/sqlite', ['sqliteEngine'])).sqliteEngine({ path: join(env.dataDir, 'core.sqlite3') }),
    ],
    ['signed-cookie', async () => (await importExports('@sess/signed-cookie', ['signedCookie'])).signedCookie({ secrets: env.secret })],
  ]
  for (const [name, make] of engines) {
    let engine: unknown
    try {
      engine = await make()
    } catch (error) {
      if (name === 'memory') throw error
      continue // that package is missing: the others still run
    }
    const sessions = createSessions({ engine }) as unknown as SessionsLike
    const cookies: string[] = []
    for (let i = 0; i < 10; i++) {
      const s = sessions.load(undefined)
      await s.set('count', 0)
      const { setCookie } = await sessions.commit(s, { status: 200, final: true })
      cookies.push(setCookie.map((c) => c.split(';', 1)[0]).join('; '))
    }
    let i = 0
    const cookie = () => cookies[i++ % cookies.length]!
    await m.compare([
      [`core + ${name}: noop (load, commit)`, () => sessions.commit(sessions.load(cookie()), { status: 200, final: true })],
      [
        `core + ${name}: read (load, get, commit)`,
        async () => {
          const s = sessions.load(cookie())
          await s.get('count', 0)
          await sessions.commit(s, { status: 200, final: true })
        },
      ],
      [
        `core + ${name}: hit (load, get, set, commit)`,
        async () => {
          const s = sessions.load(cookie())
          await s.set('count', (await s.get('count', 0)) + 1)
          await sessions.commit(s, { status: 200, final: true })
        },
      ],
    ])
  }
}
