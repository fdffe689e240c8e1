import { appListener, demoDbPath, startDemo, type RunningDemo, type StartOptions } from '@sess-examples/demo-kit/server'
import { createApp } from './app.js'

export type { RunningDemo, StartOptions } from '@sess-examples/demo-kit/server'

/** Where the demo keeps its sessions by default: `examples/express-demo/.sess-data/` (git-ignored). */
export const DEFAULT_DB_PATH = demoDbPath(import.meta.url)

/** Serves `createApp(sessions)` with Express's `app.listen`. */
export const listen = appListener(createApp)

/**
 * Starts the demo over SQLite (port 3000 unless `options.port`; `0` picks a free one). Used by `src/server.ts`,
 * the tests and the browser tests.
 */
export function startServer(options: StartOptions = {}): Promise<RunningDemo> {
  return startDemo(options, { defaultPort: 3000, defaultDbPath: DEFAULT_DB_PATH, listen })
}
