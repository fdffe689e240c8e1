import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createSessions, type Sessions } from '@sess/core'
import { richSerializer } from '@sess/core/rich'
import { sqliteEngine } from '@sess/sqlite'
import type { DemoData } from '@sess-examples/demo-kit'
import { remoteEngine } from './remote-engine'

const cache = globalThis as { sessDemoSessions?: Sessions<DemoData> }

/**
 * The demo's sessions, made on first use (not while `next build` collects the routes): SQLite in
 * `SESS_DEMO_DB` (default `.sess-data/sessions.sqlite3`), or, for the failing-store test only, the store
 * the test process serves at `SESS_DEMO_STORE_URL`.
 */
export function demoSessions(): Sessions<DemoData> {
  if (cache.sessDemoSessions) return cache.sessDemoSessions
  const storeUrl = process.env.SESS_DEMO_STORE_URL
  let engine = storeUrl ? remoteEngine(storeUrl) : undefined
  if (engine === undefined) {
    const path = resolve(process.env.SESS_DEMO_DB ?? '.sess-data/sessions.sqlite3')
    mkdirSync(dirname(path), { recursive: true })
    engine = sqliteEngine({ path })
  }
  cache.sessDemoSessions = createSessions<DemoData>({ engine, serializer: richSerializer }) // keeps `lastVisit` a Date
  return cache.sessDemoSessions
}
