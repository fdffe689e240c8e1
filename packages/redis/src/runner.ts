import { engineError, SessionError } from '@sess/core/engine'
import type { RedisConnection, RedisSend } from './client.js'
import { type Deadlined, Deadlines } from './deadlines.js'
import { NAME } from './options.js'
import type { Script } from './scripts.js'
import { Signals } from './signals.js'

/** Sends the engine's commands: each bounded by the command timeout, scripts by EVALSHA with an EVAL fallback. */
export interface Runner {
  /** Sends one command touching `key`. */
  run(action: string, key: string, args: string[], readOnly?: boolean): Promise<unknown>
  /** Runs a script on the one key `key` (EVALSHA; EVAL once when the server does not know it). */
  script(action: string, script: Script, key: string, args: string[]): Promise<unknown>
  /**
   * Runs `first` and then `second`, `first` applied by the server before `second`: on an ordered connection both
   * are sent at once (one round trip), otherwise `second` only after `first` replied. When `first` fails and
   * `second` succeeded anyway (an ordered connection), `undo(second's reply)` runs before `first`'s error is thrown.
   */
  inOrder<T>(first: () => Promise<unknown>, second: () => Promise<T>, undo: (reply: T) => Promise<unknown>): Promise<T>
  /**
   * One sender per master for commands that name no key (`SCAN`); `send` alone when the client is one server or a
   * function (which gets `hint` as the command's key).
   */
  masters(hint: string): Promise<Array<(action: string, args: string[]) => Promise<unknown>>>
}

/** A {@link Runner} over a connection, with `timeout` ms per command. */
export function runner(connection: RedisConnection, timeout: number): Runner {
  const { send, ordered } = connection
  const flight: Flight = { deadlines: new Deadlines(timeout), signals: new Signals(), timeout }
  const run = (action: string, key: string, args: string[], readOnly = false): Promise<unknown> =>
    command(send, flight, { action, key, args, readOnly })
  const self: Runner = {
    run,
    async script(action, script, key, args) {
      try {
        return await run(action, key, ['EVALSHA', script.sha, '1', key, ...args])
      } catch (error) {
        if (!isNoScript(error)) throw error
        return run(action, key, ['EVAL', script.source, '1', key, ...args])
      }
    },
    async inOrder(first, second, undo) {
      if (!ordered) {
        await first()
        return second()
      }
      const before = first()
      before.catch(() => undefined)
      const after = second()
      after.catch(() => undefined)
      const [a, b] = await Promise.allSettled([before, after])
      if (a.status === 'rejected') {
        if (b.status === 'fulfilled') await undo(b.value).catch(() => undefined)
        throw a.reason
      }
      if (b.status === 'rejected') throw b.reason
      return b.value
    },
    async masters(hint) {
      let sends: RedisSend[] = [send]
      try {
        if (connection.masters) sends = await connection.masters()
      } catch (error) {
        throw engineError(NAME, 'listing the masters', error)
      }
      return sends.map((to) => (action: string, args: string[]) => command(to, flight, { action, key: hint, args, readOnly: true }))
    },
  }
  return self
}

/** What one runner's commands share: the deadlines of those in flight, and the controllers for their signals. */
interface Flight {
  readonly deadlines: Deadlines
  readonly signals: Signals
  readonly timeout: number
}

/**
 * Sends one command, bounded by the timeout: no reply in time → abort + `SessionError('ENGINE')`. One promise and
 * one entry in the runner's {@link Deadlines} per command, its signal's controller reused (this runs for every
 * request).
 */
function command(send: RedisSend, flight: Flight, c: { action: string; key: string; args: string[]; readOnly: boolean }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const controller = flight.signals.take()
    let settled = false
    const entry: Deadlined = {
      deadline: 0,
      done: false,
      late() {
        // After a stalled event loop, timers run before pending socket reads: give a reply that already arrived
        // one turn (setImmediate runs after I/O) before declaring the command lost.
        setImmediate(() => {
          if (settled) return
          settled = true
          controller.abort()
          reject(new SessionError('ENGINE', NAME, `${c.action} failed: no reply from Redis within ${flight.timeout} ms`))
        })
      },
    }
    flight.deadlines.add(entry)
    let sent: Promise<unknown>
    try {
      sent = send({ args: c.args, key: c.key, readOnly: c.readOnly, signal: controller.signal })
    } catch (error) {
      sent = Promise.reject(error)
    }
    // A late reply or failure after the timeout is dropped (never an unhandled rejection).
    Promise.resolve(sent).then(
      (reply) => {
        flight.deadlines.settle(entry)
        if (settled) return
        settled = true
        flight.signals.give(controller)
        resolve(reply)
      },
      (error: unknown) => {
        flight.deadlines.settle(entry)
        if (settled) return
        settled = true
        reject(isNoScript(error) ? error : engineError(NAME, c.action, error))
      },
    )
  })
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}
