import { createSessions, type Session, type SessionData, type SessionHeaders, type Sessions, type SessionsOptions } from '@sess/core'
import type { SessionEngine, SessionStore } from '@sess/core/engine'
import { ManualClock } from './clock.js'
import { CookieJar } from './cookie-jar.js'

/** Counts the calls made to each method of an engine or store. */
export interface CallCounter {
  readonly calls: Record<string, number>
  total(): number
  reset(): void
}

/** Wraps an engine or store so every method call is counted (for laziness tests). */
export function countCalls<T extends SessionEngine | SessionStore>(target: T): { target: T; counter: CallCounter } {
  const calls: Record<string, number> = {}
  const proxy = new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver)
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'wellFormed' || property === 'constructor')
        return value
      return (...args: unknown[]) => {
        calls[property] = (calls[property] ?? 0) + 1
        return (value as (...a: unknown[]) => unknown).apply(object, args)
      }
    },
  })
  return {
    target: proxy,
    counter: {
      calls,
      total: () => Object.values(calls).reduce((a, b) => a + b, 0),
      reset: () => {
        for (const key of Object.keys(calls)) delete calls[key]
      },
    },
  }
}

/** One simulated request: a cookie jar's header in, the handler, the commit, the jar updated. */
export interface RequestResult<T> {
  result: T
  headers: SessionHeaders
  session: Session<any>
}

/** Sessions over a store with a manual clock and a call counter, plus a request helper. */
export interface Harness<Data extends SessionData = SessionData> {
  sessions: Sessions<Data>
  clock: ManualClock
  counter: CallCounter
  store: SessionStore
  request<T>(jar: CookieJar, handler: (session: Session<Data>) => T | Promise<T>, options?: { status?: number }): Promise<RequestResult<T>>
}

/** Builds a {@link Harness} over `engine` (an engine or a store). */
export function createHarness<Data extends SessionData = SessionData>(
  engine: SessionEngine | SessionStore,
  options: Partial<SessionsOptions> = {},
): Harness<Data> {
  const clock = new ManualClock()
  const { target, counter } = countCalls(engine)
  const sessions = createSessions<Data>({ now: clock.now, ...options, engine: target })
  return {
    sessions,
    clock,
    counter,
    store: sessions.store,
    async request(jar, handler, requestOptions = {}) {
      const session = sessions.load(jar.header())
      const result = await handler(session)
      const headers = await sessions.commit(session, { ...requestOptions, final: true })
      jar.apply(headers.setCookie)
      return { result, headers, session }
    },
  }
}

export { CookieJar }
