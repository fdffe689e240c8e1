/** A command in flight, as {@link Deadlines} holds it. */
export interface Deadlined {
  /** `performance.now()` at which the command is late. */
  deadline: number
  /** Set by {@link Deadlines.settle}: the command has its reply or failure, and its entry is only dropped. */
  done: boolean
  /** Called once, when the deadline has passed and the entry is not done. */
  late(): void
}

/** Entries dropped from the front before the array is compacted. */
const COMPACT_AT = 1024

/**
 * The deadlines of one runner's commands, with one timer for all of them. Every command gets the same timeout, so
 * the deadlines come in the order the commands were sent: a queue, whose front is the next to pass. The timer is set
 * for the front's deadline; when it fires, every entry whose deadline has passed and that is not done is late, and
 * the timer is set again for the new front. A command that settles marks its entry done; done entries leave from the
 * front.
 *
 * Why not a `setTimeout` per command: with a timer, an `AbortController` and its signal for every command, a shared
 * `/hit` on Redis cost 83 µs more per request over HTTP on the bench host (`bench/README.md`). The timer does not
 * hold the process open once nothing is in flight.
 */
export class Deadlines {
  private readonly queue: Deadlined[] = []
  private front = 0
  private timer: ReturnType<typeof setTimeout> | null = null
  private held = false

  /** @param timeout ms from {@link add} to a command's deadline. */
  constructor(private readonly timeout: number) {}

  /** Starts the clock of `entry` (its `deadline` is set here). */
  add(entry: Deadlined): void {
    entry.deadline = performance.now() + this.timeout
    this.queue.push(entry)
    if (this.timer === null) this.arm(this.timeout)
    else if (!this.held) {
      this.timer.ref()
      this.held = true
    }
  }

  /** Marks `entry` done and drops the done entries from the front. */
  settle(entry: Deadlined): void {
    entry.done = true
    const { queue } = this
    while (this.front < queue.length && queue[this.front]!.done) queue[this.front++] = undefined as never
    if (this.front === queue.length) {
      queue.length = 0
      this.front = 0
      if (this.held && this.timer !== null) {
        this.timer.unref() // nothing in flight: the armed timer must not keep the process alive
        this.held = false
      }
    } else if (this.front >= COMPACT_AT && this.front * 2 >= queue.length) {
      queue.splice(0, this.front)
      this.front = 0
    }
  }

  private arm(ms: number): void {
    this.timer = setTimeout(this.sweep, Math.max(1, Math.ceil(ms)))
    this.held = true
  }

  private readonly sweep = (): void => {
    this.timer = null
    const { queue } = this
    const now = performance.now()
    while (this.front < queue.length) {
      const entry = queue[this.front]!
      if (!entry.done && entry.deadline > now) break
      queue[this.front++] = undefined as never
      if (!entry.done) entry.late()
    }
    if (this.front === queue.length) {
      queue.length = 0
      this.front = 0
    } else this.arm(queue[this.front]!.deadline - now)
  }
}
