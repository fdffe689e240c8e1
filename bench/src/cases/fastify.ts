import { createServer, type RequestListener } from 'node:http'
import { join } from 'node:path'
import type { CaseApp, CaseEnv, ServerCase } from './types.js'
import { importExports } from '../sess.js'

type App = any

/** A Fastify 5 app whose request handler the bench's own http server mounts (Fastify's `serverFactory`). */
async function fastifyApp(setup: (app: App) => Promise<void> | void): Promise<CaseApp> {
  const Fastify = (await import('fastify')).default
  let listener: RequestListener | undefined
  const app = Fastify({
    logger: false,
    serverFactory: (handler: RequestListener) => {
      listener = handler
      return createServer(handler)
    },
  })
  await setup(app)
  await app.ready()
  return { listener: listener!, close: () => app.close() }
}

function bareRoutes(app: App): void {
  app.get('/hit', async () => ({ count: 1 }))
  app.get('/read', async () => ({ count: 1 }))
  app.get('/noop', async () => ({ ok: true }))
}

/** @sess/fastify over `engine`, with @fastify/cookie registered as in a typical app. */
async function sessApp(engine: unknown): Promise<CaseApp> {
  const { createSessions } = await importExports('@sess/core', ['createSessions'])
  const { session } = await importExports('@sess/fastify', ['session'])
  const cookie = (await import('@fastify/cookie')).default
  return fastifyApp(async (app) => {
    await app.register(cookie)
    await app.register(session, { sessions: createSessions({ engine }) })
    app.get('/hit', async (request: any) => {
      const count = (await request.session.get('count', 0)) + 1
      await request.session.set('count', count)
      return { count }
    })
    app.get('/read', async (request: any) => ({ count: await request.session.get('count', 0) }))
    app.get('/noop', async () => ({ ok: true }))
  })
}

/** The Fastify group. */
export const fastifyCases: ServerCase[] = [
  {
    id: 'fastify-bare',
    group: 'fastify',
    label: 'fastify 5 (bare)',
    kind: 'bare',
    sess: false,
    issue: 11,
    create: () => fastifyApp(bareRoutes),
  },
  {
    id: 'fastify-session-memory',
    group: 'fastify',
    label: '@fastify/session + its MemoryStore (+@fastify/cookie)',
    kind: 'store',
    sess: false,
    issue: 11,
    create: async (env: CaseEnv) => {
      const cookie = (await import('@fastify/cookie')).default
      const session = (await import('@fastify/session')).default
      return fastifyApp(async (app) => {
        await app.register(cookie)
        await app.register(session, {
          secret: env.secret,
          saveUninitialized: false,
          cookie: { secure: false, httpOnly: true, sameSite: 'lax', maxAge: 1_209_600_000 },
        })
        app.get('/hit', async (request: any) => {
          const count = ((request.session.get('count') as number | undefined) ?? 0) + 1
          request.session.set('count', count)
          return { count }
        })
        app.get('/read', async (request: any) => ({ count: (request.session.get('count') as number | undefined) ?? 0 }))
        app.get('/noop', async () => ({ ok: true }))
      })
    },
  },
  {
    id: 'sess-fastify-memory',
    group: 'fastify',
    label: '@sess/fastify + @sess/memory',
    kind: 'store',
    sess: true,
    issue: 11,
    create: async () => sessApp((await importExports('@sess/memory', ['memoryEngine'])).memoryEngine()),
  },
  {
    id: 'sess-fastify-sqlite',
    group: 'fastify',
    label: '@sess/fastify + @sess/sqlite (WAL, NORMAL)',
    kind: 'store',
    sess: true,
    issue: 11,
    create: async (env: CaseEnv) =>
      sessApp((await importExports('@sess/sqlite', ['sqliteEngine'])).sqliteEngine({ path: join(env.dataDir, 'sess-fastify.sqlite3') })),
  },
]
