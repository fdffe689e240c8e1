/**
 * The app the guarantee tests serve: Express 5 + @sess/express over one engine, with the binding suite's
 * `/increment` and `/push` routes (a real 5 ms await between the request's start and its write).
 * Run in-process by `startApp`, or as a child process: argv[2] is a JSON {@link EngineSpec}; prints
 * `{"port":N}` once listening and stops on SIGTERM.
 */
import type { AddressInfo } from 'node:net'
import { createSessions, type Sessions } from '@sess/core'
import { session } from '@sess/express'
import express from 'express'
import { openEngine, type EngineSpec } from './test-engines.js'

type Data = { count?: number; items?: string[] }

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The Express app over `sessions`. */
export function guaranteeApp(sessions: Sessions<Data>): express.Express {
  const app = express()
  app.use(session(sessions))
  app.post('/increment', async (req, res) => {
    await req.session.has('count')
    await pause(5)
    res.json({ count: await req.session.modify('count', (n = 0) => (n as number) + 1) })
  })
  app.post('/push', async (req, res) => {
    await req.session.has('items')
    await pause(5)
    await req.session.modify('items', (list = []) => [...(list as string[]), String(req.query.item)])
    res.json({ ok: true })
  })
  app.get('/data', async (req, res) => {
    res.json(Object.fromEntries(await req.session.entries()))
  })
  return app
}

/** Serves the app over the engine `spec` names on 127.0.0.1; `close` stops the server and disposes the engine. */
export async function startApp(spec: EngineSpec): Promise<{ port: number; close(): Promise<void> }> {
  const sessions = createSessions<Data>({ engine: await openEngine(spec) })
  const server = guaranteeApp(sessions).listen(0, '127.0.0.1')
  await new Promise<void>((resolve) => server.once('listening', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sessions.dispose()
    },
  }
}

if (process.argv[2] !== undefined && import.meta.url === `file://${process.argv[1]}`) {
  const app = await startApp(JSON.parse(process.argv[2]) as EngineSpec)
  process.stdout.write(`${JSON.stringify({ port: app.port })}\n`)
  process.once('SIGTERM', () => {
    void app.close().then(() => process.exit(0))
  })
}
