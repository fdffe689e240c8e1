/**
 * @module @sess-examples/demo-kit/server
 * The demos' start-up on Node: sessions over SQLite, an HTTP server, the hourly purge, a clean close, and
 * the `src/server.ts` entry (PORT, SESS_DEMO_DB, signals). Each demo passes its own {@link DemoListener}.
 */
import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createSessions, type Sessions, type SessionsOptions } from '@sess/core'
import { richSerializer } from '@sess/core/rich'
import { sqliteEngine } from '@sess/sqlite'
import type { DemoData } from './data.js'

/** Options of a demo's `startServer`. */
export interface StartOptions {
  /** TCP port; `0` picks a free one. Default: the demo's (3000 Express, 3001 Koa, 3002 Hono). */
  port?: number
  /** Interface to listen on. Default: all (so both `localhost` and `127.0.0.1` work). */
  host?: string
  /** The SQLite file; its directory is created. Default: the demo's `DEFAULT_DB_PATH`. */
  dbPath?: string
  /** More `createSessions` options (cookie settings, maxAge, …). */
  sessionOptions?: Partial<SessionsOptions>
}

/** A running demo. */
export interface RunningDemo {
  /** e.g. `http://localhost:3000` */
  url: string
  port: number
  server: Server
  sessions: Sessions<DemoData>
  /** Stops listening, closes open connections and the sessions (the database). */
  close(): Promise<void>
}

/**
 * Starts a demo's app on an HTTP server: `createApp(sessions)` then the framework's own `listen`.
 * The returned server emits `listening` (or `error`); `host` `undefined` means all interfaces.
 */
export type DemoListener = (sessions: Sessions<DemoData>, port: number, host: string | undefined) => Server

/** An app with Node's `listen` (Express, Koa): `listen(port)` on all interfaces, `listen(port, host)` on one. */
export interface ListeningApp {
  listen(port: number): Server
  listen(port: number, host: string): Server
}

/** The {@link DemoListener} of an app with Node's `listen`: `createApp(sessions).listen(port, host?)`. */
export function appListener(createApp: (sessions: Sessions<DemoData>) => ListeningApp): DemoListener {
  return (sessions, port, host) => {
    const app = createApp(sessions)
    return host === undefined ? app.listen(port) : app.listen(port, host)
  }
}

/** What {@link startDemo} needs from a demo. */
export interface DemoSetup {
  /** The port when `options.port` is not given. */
  defaultPort: number
  /** The SQLite file when `options.dbPath` is not given. */
  defaultDbPath: string
  listen: DemoListener
}

/**
 * Where a demo keeps its sessions by default: `<demo>/.sess-data/sessions.sqlite3` (git-ignored).
 * @param moduleUrl - `import.meta.url` of a module in the demo's `src/`.
 */
export function demoDbPath(moduleUrl: string): string {
  return resolve(dirname(fileURLToPath(moduleUrl)), '../.sess-data/sessions.sqlite3')
}

/** Starts a demo over SQLite (the directory of the file is created). Used by each demo's `startServer`. */
export async function startDemo(options: StartOptions, setup: DemoSetup): Promise<RunningDemo> {
  const dbPath = resolve(options.dbPath ?? setup.defaultDbPath)
  mkdirSync(dirname(dbPath), { recursive: true })
  const sessions = createSessions<DemoData>({
    serializer: richSerializer, // keeps the `lastVisit` Date a Date
    ...options.sessionOptions,
    engine: sqliteEngine({ path: dbPath }),
  })
  return serveDemo(setup.listen, sessions, { port: options.port ?? setup.defaultPort, host: options.host })
}

/**
 * Serves a demo over any `sessions` (the tests pass a failing store): listens, purges expired sessions hourly
 * (Django's clearsessions), and disposes `sessions` on close — or at once if it cannot listen.
 */
export async function serveDemo(
  listen: DemoListener,
  sessions: Sessions<DemoData>,
  at: { port: number; host?: string | undefined },
): Promise<RunningDemo> {
  const server = await new Promise<Server>((ready, fail) => {
    const s = listen(sessions, at.port, at.host)
    s.once('error', fail)
    s.once('listening', () => ready(s))
  }).catch(async (error: unknown) => {
    await sessions.dispose()
    throw error
  })
  const purge = setInterval(() => void sessions.purgeExpired().catch(() => {}), 3_600_000)
  purge.unref()
  const { port } = server.address() as AddressInfo
  const host = at.host === undefined || at.host === '0.0.0.0' || at.host === '::' ? 'localhost' : at.host
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    server,
    sessions,
    async close() {
      clearInterval(purge)
      await new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      })
      await sessions.dispose()
    },
  }
}

/**
 * The body of a demo's `src/server.ts`: starts it on `PORT` (else the demo's default) with its sessions in
 * `SESS_DEMO_DB` (else the default file), says where, and closes cleanly on SIGINT/SIGTERM.
 * @param name - the demo's name as in its directory, e.g. `express` for `examples/express-demo`.
 * @param start - the demo's `startServer`.
 */
export async function runDemo(name: string, start: (options: StartOptions) => Promise<RunningDemo>): Promise<RunningDemo> {
  const { PORT, SESS_DEMO_DB } = process.env
  const demo = await start({ ...(PORT === undefined ? {} : { port: Number(PORT) }), ...(SESS_DEMO_DB ? { dbPath: SESS_DEMO_DB } : {}) })
  console.log(`sess ${name} demo on ${demo.url} (sessions in ${SESS_DEMO_DB ?? `examples/${name}-demo/.sess-data/`})`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void demo.close().then(() => process.exit(0))
    })
  }
  return demo
}
