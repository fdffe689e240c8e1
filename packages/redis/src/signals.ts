import { getEventListeners } from 'node:events'

/** Controllers kept for reuse at most: more than a busy process has commands in flight at once. */
const MAX_KEPT = 256

/**
 * Abort controllers for the commands of one runner, reused. Each command needs a signal of its own, which the
 * engine aborts when the command is late so that a client drops it unsent (node-redis does). Making one costs about
 * 6 µs on the bench host (Node builds the `AbortSignal`, an `EventTarget`, on first access), against under 1 µs to
 * take one from here. A controller comes back only from a command that got its reply — never aborted — and only when
 * its signal holds no listener: node-redis removes its own when it writes the command, and a client that leaves one
 * gets a new controller next time, so no command ever sees another's listener.
 */
export class Signals {
  private readonly kept: AbortController[] = []

  /** An unaborted controller with no listener on its signal. */
  take(): AbortController {
    return this.kept.pop() ?? new AbortController()
  }

  /** Returns a controller whose command got its reply; kept if it is reusable. */
  give(controller: AbortController): void {
    const { signal } = controller
    if (this.kept.length < MAX_KEPT && !signal.aborted && getEventListeners(signal, 'abort').length === 0) {
      this.kept.push(controller)
    }
  }
}
