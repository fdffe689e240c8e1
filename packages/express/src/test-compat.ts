import { createSessions, type SessionsOptions } from '@sess/core'
import { isSessionError, type Sessions } from '@sess/core/binding'
import { countCalls, CookieJar, type CallCounter } from '@sess/engine-tests'
import { memoryEngine } from '@sess/memory'
import express5 from 'express'
import express4 from 'express4'
import { onTestFinished } from 'vitest'
import { expressSessionCompat } from './index.js'
import { listen, type ExpressFactory } from './test-app.js'

/** Both Express majors, for `for (const [label, express] of EXPRESS)`. */
export const EXPRESS: Array<[string, ExpressFactory]> = [
  ['Express 5', express5],
  ['Express 4', express4],
]

/** What a test request got back. */
export interface CompatResponse {
  status: number
  body: string
  json: () => unknown
  headers: Headers
  setCookie: string[]
}

/** A running app on `expressSessionCompat()` over @sess/memory (calls counted), and a fetch helper with a cookie jar. */
export interface CompatApp {
  sessions: Sessions<Record<string, unknown>>
  counter: CallCounter
  url: string
  request(method: string, path: string, jar?: CookieJar, init?: { body?: string; contentType?: string }): Promise<CompatResponse>
}

/**
 * Starts an Express app with `before` middleware (e.g. body parsers), `expressSessionCompat(sessions)`, the
 * routes, and an error handler answering `{ error: code or message }` with the error's status (default 500).
 */
export async function startCompat(
  express: ExpressFactory,
  routes: (app: ReturnType<ExpressFactory>) => void,
  options: Partial<SessionsOptions> = {},
  before?: (app: ReturnType<ExpressFactory>) => void,
): Promise<CompatApp> {
  const { target, counter } = countCalls(memoryEngine())
  const sessions = createSessions({ ...options, engine: target })
  const app = express()
  before?.(app)
  app.use(expressSessionCompat(sessions))
  routes(app)
  app.use((error: unknown, _req: express5.Request, res: express5.Response, _next: express5.NextFunction) => {
    const status = (error as { status?: number }).status ?? 500
    res.status(status).json({ error: isSessionError(error) ? error.code : error instanceof Error ? error.message : String(error) })
  })
  const server = await listen(app)
  onTestFinished(async () => {
    await server.close()
    await sessions.dispose()
  })
  return {
    sessions,
    counter,
    url: server.url,
    async request(method, path, jar, init = {}) {
      const headers: Record<string, string> = {}
      const cookie = jar?.header()
      if (cookie) headers.cookie = cookie
      if (init.contentType) headers['content-type'] = init.contentType
      const response = await fetch(server.url + path, { method, headers, body: init.body ?? null, redirect: 'manual' })
      const body = await response.text()
      const setCookie = response.headers.getSetCookie()
      jar?.apply(setCookie)
      return { status: response.status, body, json: () => JSON.parse(body), headers: response.headers, setCookie }
    },
  }
}

/** `Set-Cookie` values of the session cookie. */
export const sessionCookies = (setCookie: string[], name = 'sessionid'): string[] => setCookie.filter((c) => c.startsWith(`${name}=`))

/** `fn` as an Express handler whose rejection goes to `next` (Express 4 does not forward it). */
export const wrap =
  (fn: (req: express5.Request, res: express5.Response) => Promise<unknown>): express5.RequestHandler =>
  (req, res, next) => {
    fn(req, res).catch(next)
  }

export { CookieJar }
