/** One db call in flight whose result the cache may take; `overtaken` once a write or destroy overlapped it. */
export interface Flight {
  overtaken: boolean
}

/**
 * Tracks db calls in flight per key, so that a result overtaken by another call never reaches the cache:
 * a db read after a miss overlapped by a write or destroy of its key (it may have read the record they replace), and
 * a write overlapped by a destroy of its key or by a `destroyUser` (it may put back an entry the destroy dropped).
 * An overtaken flight drops the cache entry instead of writing it; the next read fills it from the db.
 */
export class Overlaps {
  readonly #misses = new Map<string, Set<Flight>>()
  readonly #writes = new Map<string, Set<Flight>>()
  readonly #destroying = new Map<string, number>()
  #destroyingUsers = 0

  /** Runs the db read after a cache miss of `key`; overtaken when a write or destroy of the key overlaps it. */
  miss<T>(key: string, run: (flight: Flight) => Promise<T>): Promise<T> {
    const overtaken = this.#writes.has(key) || this.#destroying.has(key) || this.#destroyingUsers > 0
    return this.#fly(this.#misses, key, overtaken, run)
  }

  /** Runs a write of `key` (db, then cache): overtakes the key's misses; overtaken by a destroy of the key or of a user. */
  write<T>(key: string, run: (flight: Flight) => Promise<T>): Promise<T> {
    this.#overtake(this.#misses.get(key))
    return this.#fly(this.#writes, key, this.#destroying.has(key) || this.#destroyingUsers > 0, run)
  }

  /** Runs a destroy of `key`: every miss and write of the key in flight, or starting meanwhile, is overtaken. */
  async destroy<T>(key: string, run: () => Promise<T>): Promise<T> {
    this.#overtake(this.#misses.get(key))
    this.#overtake(this.#writes.get(key))
    this.#destroying.set(key, (this.#destroying.get(key) ?? 0) + 1)
    try {
      return await run()
    } finally {
      const left = this.#destroying.get(key)! - 1
      if (left === 0) this.#destroying.delete(key)
      else this.#destroying.set(key, left)
    }
  }

  /** Runs a `destroyUser`: it names no keys, so every miss and write in flight, or starting meanwhile, is overtaken. */
  async destroyUser<T>(run: () => Promise<T>): Promise<T> {
    for (const flights of this.#misses.values()) this.#overtake(flights)
    for (const flights of this.#writes.values()) this.#overtake(flights)
    this.#destroyingUsers++
    try {
      return await run()
    } finally {
      this.#destroyingUsers--
    }
  }

  async #fly<T>(map: Map<string, Set<Flight>>, key: string, overtaken: boolean, run: (flight: Flight) => Promise<T>): Promise<T> {
    const flight: Flight = { overtaken }
    const flights = map.get(key)
    if (flights) flights.add(flight)
    else map.set(key, new Set([flight]))
    try {
      return await run(flight)
    } finally {
      const left = map.get(key)!
      left.delete(flight)
      if (left.size === 0) map.delete(key)
    }
  }

  #overtake(flights: Set<Flight> | undefined): void {
    if (flights) for (const flight of flights) flight.overtaken = true
  }
}
