import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { serve } from '@hono/node-server'
import { createSessions, type Sessions, type SessionsOptions } from '@sess/core'
import { sqliteEngine } from '@sess/sqlite'
import { createApp, type DemoData } from './app.js'

/** Where the demo keeps its sessions by default: `examples/hono-demo/.sess-data/` (git-ignored). */
export const DEFAULT_DB_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../.sess-data/sessions.sqlite3')

/** Options of {@link startServer}. */
export interface StartOptions {
  /** TCP port; `0` picks a free one. Default `3002`. */
  port?: number
  /** Interface to listen on. Default: all (so both `localhost` and `127.0.0.1` work). */
  host?: string
  /** The SQLite file; its directory is created. Default {@link DEFAULT_DB_PATH}. */
  dbPath?: string
  /** More `createSessions` options (cookie settings, maxAge, …). */
  sessionOptions?: Partial<SessionsOptions>
}

/** A running demo. */
export interface RunningDemo {
  /** e.g. `http://localhost:3002` */
  url: string
  port: number
  server: Server
  sessions: Sessions<DemoData>
  /** Stops listening, closes open connections and the database. */
  close(): Promise<void>
}

/** Starts the demo over SQLite. Used by `src/server.ts`, the tests and the browser tests. */
export async function startServer(options: StartOptions = {}): Promise<RunningDemo> {
  const dbPath = resolve(options.dbPath ?? DEFAULT_DB_PATH)
  mkdirSync(dirname(dbPath), { recursive: true })
  const sessions = createSessions<DemoData>({ ...options.sessionOptions, engine: sqliteEngine({ path: dbPath }) })
  const app = createApp(sessions)
  const server = await new Promise<Server>((ready, fail) => {
    const port = options.port ?? 3002
    const s = serve({ fetch: app.fetch, port, ...(options.host === undefined ? {} : { hostname: options.host }) }) as Server
    s.once('error', fail)
    s.once('listening', () => ready(s))
  }).catch(async (error: unknown) => {
    await sessions.dispose()
    throw error
  })
  // Django's clearsessions, hourly: expired rows do not pile up.
  const purge = setInterval(() => void sessions.purgeExpired().catch(() => {}), 3_600_000)
  purge.unref()
  const { port } = server.address() as AddressInfo
  const host = options.host === undefined || options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host
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
