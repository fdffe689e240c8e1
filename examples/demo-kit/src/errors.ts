import { isSessionError } from '@sess/core'
import type { DemoReply } from './data.js'
import { DemoError } from './input.js'

/** Tests run with NODE_ENV=test: expected 5xx are not logged. `process` may not exist (workers). */
const quiet = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NODE_ENV === 'test'

/**
 * What an error answers, as JSON `{ error }`: a {@link DemoError} its status and message; a `SessionError`
 * 400 for `DATA` (an unstorable value) and `NOT_FOUND` (a parallel request ended the session), 500 for a
 * failed save; anything else 500. Logs the unexpected 5xx (except under NODE_ENV=test). Every adapter's error handler
 * answers this, so a failed save is never a 200.
 */
export function errorReply(error: unknown): DemoReply {
  let status = 500
  let message = 'internal error'
  if (isSessionError(error)) {
    status = error.code === 'DATA' ? 400 : error.status === 400 ? 400 : 500
    message =
      error.code === 'NOT_FOUND'
        ? 'the session ended meanwhile (logged out elsewhere): try again'
        : error.code === 'DATA'
          ? error.message
          : 'the session could not be saved'
  } else if (error instanceof DemoError) {
    status = error.status
    message = error.message
  }
  if (status >= 500 && !(error instanceof DemoError) && !quiet) console.error(error) // a DemoError is a deliberate answer (501)
  return { status, json: { error: message } }
}
