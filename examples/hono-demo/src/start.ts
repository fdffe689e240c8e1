import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { demoDbPath, startDemo, type DemoListener, type RunningDemo, type StartOptions } from '@sess-examples/demo-kit/server'
import { createApp } from './app.js'

export type { RunningDemo, StartOptions } from '@sess-examples/demo-kit/server'

/** Where the demo keeps its sessions by default: `examples/hono-demo/.sess-data/` (git-ignored). */
export const DEFAULT_DB_PATH = demoDbPath(import.meta.url)

/** Serves `createApp(sessions).fetch` on Node with @hono/node-server. */
export const listen: DemoListener = (sessions, port, host) =>
  serve({ fetch: createApp(sessions).fetch, port, ...(host === undefined ? {} : { hostname: host }) }) as Server

/** Starts the demo over SQLite (port 3002 unless `options.port`; `0` picks a free one). Used by `src/server.ts` and the tests. */
export function startServer(options: StartOptions = {}): Promise<RunningDemo> {
  return startDemo(options, { defaultPort: 3002, defaultDbPath: DEFAULT_DB_PATH, listen })
}
