import type { SessionContext } from './context.js'
import { SessionError } from './errors.js'

/** Refuses, with `SessionError('DATA')` naming the key, a value the serializer cannot bring back the same. */
export function checkValue(ctx: SessionContext, key: string, value: unknown): void {
  const { serializer } = ctx
  let problem: string | undefined
  if (serializer.check) problem = serializer.check(value)
  else {
    try {
      serializer.stringify({ [key]: value })
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error)
    }
  }
  if (problem !== undefined) {
    throw new SessionError(
      'DATA',
      'core',
      `cannot store session key ${JSON.stringify(key)} with the ${serializer.name} serializer: ${problem}`,
    )
  }
}
