/** A clock that moves only when told: pass `clock.now` as the `now` option. */
export class ManualClock {
  #ms: number

  /** @param start - the initial instant (default 2030-01-01T00:00:00Z). */
  constructor(start: Date | number = Date.UTC(2030, 0, 1)) {
    this.#ms = +start
  }

  /** The current instant. Bound, so it can be passed around. */
  readonly now = (): Date => new Date(this.#ms)

  /** Moves the clock forward by `seconds` (fractions allowed). */
  advance(seconds: number): void {
    this.#ms += Math.round(seconds * 1000)
  }

  /** Moves the clock forward by `ms` milliseconds. */
  advanceMs(ms: number): void {
    this.#ms += ms
  }
}
