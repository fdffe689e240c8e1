import { loaded } from './load.js'
import { assertWritable, committedError, type SessionState } from './state.js'

/**
 * A settled promise of `undefined`, shared: what a data call that returns nothing answers when it ran at once (no
 * promise made per call). Promises are immutable once settled, so handing one to every caller is safe.
 */
export const DONE: Promise<undefined> = Promise.resolve(undefined)

/**
 * Whether a data call may run now, synchronously: the data is loaded and no earlier call still waits for the load.
 * A call made while an earlier one waits goes behind it, so calls apply in program order whatever state the data is
 * in when they are made (see {@link inOrder}).
 */
export function runsNow(s: SessionState): boolean {
  return s.phase === 'loaded' && s.waiting === 0
}

/**
 * Runs a data call in program order and answers with a promise of its result. When {@link runsNow}, it runs at once:
 * no suspended frame, no extra turn of the event loop, and a call that returns nothing makes no promise. Otherwise it
 * waits for the load (starting it), behind the calls that already wait: they all hang on the one load promise, whose
 * reactions run in the order they were added. A throw or a failed load becomes the rejection.
 */
export function inOrder<T>(s: SessionState, call: (s: SessionState) => T | Promise<T>): Promise<T> {
  try {
    if (runsNow(s)) {
      s.accessed = true
      return answer(call(s))
    }
    const ready = loaded(s)
    // Loaded synchronously just now (no cookie, or one naming no session) with nothing waiting: run at once.
    if (!(ready instanceof Promise) && s.waiting === 0) return answer(call(s))
    const after = ready instanceof Promise ? ready : (s.loading as Promise<SessionState>)
    s.waiting++
    return after.then(
      () => {
        s.waiting--
        return call(s)
      },
      (error: unknown) => {
        s.waiting--
        throw error
      },
    )
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * {@link inOrder} for a call that writes: refused with `SessionError('COMMITTED')` once the final commit has started,
 * checked when the call is made and again when it runs after waiting for the load. `what` (and `key`) name the call
 * in the error, built only for the error.
 */
export function inOrderWrite<T>(
  s: SessionState,
  what: string,
  key: string | undefined,
  call: (s: SessionState) => T | Promise<T>,
): Promise<T> {
  if (s.final) return refused(what, key)
  if (runsNow(s)) return inOrder(s, call)
  return inOrder(s, (s) => {
    if (s.final) assertWritable(s, described(what, key))
    return call(s)
  })
}

/** The rejection of a write made after the final commit started. */
function refused(what: string, key?: string): Promise<never> {
  return Promise.reject(committedError(described(what, key)))
}

/** The call an error names: `what`, or `what(key)`. */
export function described(what: string, key?: string): string {
  return key === undefined ? what : `${what}(${JSON.stringify(key)})`
}

/** A call's result as a promise: the shared {@link DONE} for nothing, the call's own promise, or a settled one. */
function answer<T>(value: T | Promise<T>): Promise<T> {
  if (value === undefined) return DONE as Promise<T>
  return value instanceof Promise ? value : Promise.resolve(value)
}
