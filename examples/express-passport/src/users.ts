import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'

/** A user of the example. */
export interface User {
  id: string
  name: string
}

interface StoredUser extends User {
  salt: Buffer
  hash: Buffer
}

/** An in-memory user table with scrypt password hashes (an app would use its database). */
export class Users {
  readonly #byName = new Map<string, StoredUser>()

  /** Adds a user with a password. */
  add(name: string, password: string): User {
    const salt = randomBytes(16)
    const user: StoredUser = { id: `u-${this.#byName.size + 1}`, name, salt, hash: scryptSync(password, salt, 32) }
    this.#byName.set(name, user)
    return { id: user.id, name }
  }

  /** The user when `password` is theirs, else `null` (constant-time comparison). */
  verify(name: string, password: string): User | null {
    const user = this.#byName.get(name)
    if (!user) return null
    const hash = scryptSync(password, user.salt, 32)
    return timingSafeEqual(hash, user.hash) ? { id: user.id, name: user.name } : null
  }

  /** The user with this id, or `null`. */
  byId(id: string): User | null {
    for (const user of this.#byName.values()) if (user.id === id) return { id: user.id, name: user.name }
    return null
  }
}
