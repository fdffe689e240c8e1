import { CliError, EXIT_CODES } from './errors.js'
import type { CliSessions } from './sessions-shape.js'

/**
 * Refuses a store whose sessions another process cannot reach (`store.durable === false`: the memory engine).
 * Answering "0" for it would be a lie: the sessions live in the app's heap, out of this command's sight.
 */
export function assertReachable(sessions: CliSessions): void {
  if (sessions.store.durable === false) {
    throw new CliError(
      `the ${sessions.store.name} engine keeps sessions inside the app's process: this command (another process) cannot reach them. ` +
        'Expired ones are swept by the app itself (sessions.purgeExpired() on a timer); use a shared engine (sqlite, file, postgres, redis) to manage sessions from a command line',
      EXIT_CODES.usage,
    )
  }
}

/** Whether the sessions live in the visitors' cookies (signed cookies): no server state at all. */
export function isCookieStore(sessions: CliSessions): boolean {
  return sessions.store.revocable === false
}

/** Refuses `list`/`destroy` on a store without the user index, saying why. */
export function assertUserIndex(sessions: CliSessions, command: 'list' | 'destroy'): void {
  if (isCookieStore(sessions)) {
    throw new CliError(
      `${command}: ${sessions.store.name} sessions live in the visitors' cookies, not on a server, so there is nothing to ${command} here. ` +
        "To sign a user out everywhere, keep a per-user 'valid after' time and reject older cookies with the store's isRevoked option",
      EXIT_CODES.usage,
    )
  }
  if (sessions.userIndex !== true) {
    throw new CliError(
      `${command}: the ${sessions.store.name} engine keeps no user index (capabilities.userIndex), so it cannot find a user's sessions. ` +
        'Use an engine that declares it, and sign users in with session.setUser(id)',
      EXIT_CODES.usage,
    )
  }
}

/** The method a command needs, or a {@link CliError} when this `@sess/core` is older than `@sess/cli`. */
export function method<K extends 'listFor' | 'destroyAllFor' | 'destroyHandle' | 'stats'>(
  sessions: CliSessions,
  name: K,
): NonNullable<CliSessions[K]> {
  const fn = sessions[name]
  if (typeof fn !== 'function') {
    throw new CliError(`the sessions object has no ${name}(): its @sess/core is older than this @sess/cli needs`, EXIT_CODES.usage)
  }
  return fn.bind(sessions) as NonNullable<CliSessions[K]>
}
