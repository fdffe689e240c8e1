import { isSessionError, type SessionError, type SessionErrorCode } from '@sess/core/engine'
import { expect } from 'vitest'

/** Expects `promise` to reject with `SessionError(code)`. */
export async function expectSessionError(promise: Promise<unknown>, code: SessionErrorCode): Promise<SessionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected SessionError('${code}')`).toBeDefined()
  expect(isSessionError(error, code), `expected SessionError('${code}'), got ${String(error)}`).toBe(true)
  return error as SessionError
}
