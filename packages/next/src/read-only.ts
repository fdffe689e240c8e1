import { SessionError, type Session, type SessionData } from '@sess/core/binding'

/** The `Session` members that only read; every other method rejects on a read-only session. */
const READS = new Set<PropertyKey>([
  'key',
  'accessed',
  'modified',
  'isEmpty',
  'get',
  'has',
  'keys',
  'values',
  'entries',
  'getExpiryAge',
  'getExpiryDate',
  'expireAtBrowserClose',
  'testCookieWorked',
])

/** The error every write on a read-only session rejects with (the code a committed session's writes get). */
export function readOnlyError(): SessionError {
  return new SessionError(
    'COMMITTED',
    'next',
    'the session is read-only here (a Server Component cannot set cookies): change it in a Server Action or a Route Handler',
  )
}

/**
 * `session` for a context that cannot send cookies: reads work; every other method (set, delete, pop,
 * update, clear, flush, cycleKey, setExpiry, save, modify, …) rejects with {@link readOnlyError}, and so does
 * assigning `modified`. An allow-list, so a method added to `Session` later is refused rather than lost.
 */
export function readOnlySession<Data extends SessionData>(session: Session<Data>): Session<Data> {
  return new Proxy(session, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target)
      if (typeof value !== 'function') return value
      if (READS.has(name)) return value.bind(target)
      return () => Promise.reject(readOnlyError())
    },
    set() {
      throw readOnlyError()
    },
  })
}
