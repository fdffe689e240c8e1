import type { CaseApp, ServerCase } from './types.js'
import { importExports } from '../sess.js'

type App = any

/**
 * `expressSessionCompat()` (issue 10): the express-session-shaped `req.session` over sess, with the same routes
 * as express-session's case (`req.session.count = …` as a property), beside `session()` and express-session.
 */
async function compatApp(): Promise<App> {
  const { createSessions } = await importExports('@sess/core', ['createSessions'])
  const { expressSessionCompat } = await importExports('@sess/express', ['expressSessionCompat'])
  const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
  const express = (await import('express')).default
  const app = express()
  app.use(expressSessionCompat(createSessions({ engine: memoryEngine() })))
  app.get('/hit', (req: any, res: any) => {
    req.session.count = (req.session.count ?? 0) + 1
    res.json({ count: req.session.count })
  })
  app.get('/read', (req: any, res: any) => {
    res.json({ count: req.session.count ?? 0 })
  })
  app.get('/noop', (_req: any, res: any) => {
    res.json({ ok: true })
  })
  return app
}

/** The express-session-compatible cases. */
export const expressCompatCases: ServerCase[] = [
  {
    id: 'sess-express-compat-memory',
    group: 'express',
    label: '@sess/express expressSessionCompat() + @sess/memory',
    kind: 'store',
    sess: true,
    issue: 10,
    create: async (): Promise<CaseApp> => ({ listener: (await compatApp()) as CaseApp['listener'] }),
  },
]
