/**
 * Runs tasks one after the other per key, in call order: a read-check-write on one key never interleaves
 * with another one on the same key in this process. Tasks on different keys run in parallel.
 */
export class KeyLock {
  readonly #tails = new Map<string, Promise<unknown>>()

  /** Runs `task` after every task queued before it for `key`; resolves or rejects as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key)
    const result = previous ? previous.then(task, task) : task()
    const tail = result.then(
      () => undefined,
      () => undefined,
    )
    this.#tails.set(key, tail)
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key)
    })
    return result
  }
}
