import type { SessionRecord } from '@sess/core/engine'
import { mkdirSync, readFileSync } from 'node:fs'
import type { Dir } from 'node:fs'
import { opendir } from 'node:fs/promises'
import { join } from 'node:path'
import { DirectorySync } from './directory.js'
import { replaceFile } from './durable-write.js'
import { CORRUPT, LOCK_PREFIX, type SessionFiles } from './files.js'
import { errorCode } from './fs-errors.js'
import { DIGEST, decodeIndex, encodeIndex } from './index-format.js'
import { userDigest } from './key-digest.js'
import { withKeyLock, type LockOptions } from './lock.js'
import { unlinkFreeingLater } from './retired-inode.js'

/** The index directory is `<dir>/.users-<prefix>`: a dot name, so it can never be taken for a session file. */
export const INDEX_DIR_PREFIX = '.users-'

/** Whether `found` is a record that belongs in the index file named `hash`. */
export function belongsTo(found: SessionRecord | null | typeof CORRUPT, hash: string): found is SessionRecord {
  return found !== null && found !== CORRUPT && found.userId !== undefined && userDigest(found.userId) === hash
}

/**
 * The per-user index: one small file per signed-in user, `<dir>/.users-<prefix>/<SHA-256 of the user id>`,
 * listing the digests of that user's session files. Changed only under the lock of the index file, by
 * read-modify-write through an atomic replacement (temp file, fdatasync, rename), so it is exact across the
 * processes sharing the directory and never torn.
 *
 * The one invariant: **every session file that names a user is listed in that user's index file.** Entries are
 * added (durably: file and directory fsync'd) before the session file that needs them is written, and removed
 * only after the session file no longer names the user, under that session's lock. So a crash at any moment
 * leaves at worst a stale entry (pointing at a missing file, or one that moved to another user), which every
 * reader checks against the session files and prunes. Removals need no directory fsync: a removal lost in a crash
 * is exactly such a stale entry.
 */
export class UserIndex {
  /** The index directory. */
  readonly dir: string
  readonly #files: SessionFiles
  readonly #dirSync: DirectorySync
  readonly #syncDirectory = (): Promise<void> => this.#dirSync.sync()
  readonly #lockOptions: LockOptions

  constructor(files: SessionFiles) {
    this.#files = files
    this.dir = join(files.dir, INDEX_DIR_PREFIX + files.prefix)
    this.#dirSync = new DirectorySync(this.dir)
    this.#lockOptions = { ...files.lockOptions, recreateDirectory: () => this.#createDirectory() }
  }

  /** The index file of the user whose {@link userDigest} is `hash`. */
  pathOf(hash: string): string {
    return join(this.dir, hash)
  }

  /**
   * The digests in the index file `hash`, read without the lock (files are replaced atomically). A corrupt file
   * is rebuilt from the session files first (under the lock).
   */
  async entries(hash: string): Promise<Set<string>> {
    const found = this.#read(hash)
    if (found !== CORRUPT) return found
    return this.#withLock(hash, () => this.#loadLocked(hash))
  }

  /** Adds `id` to the index file `hash`, durably, unless it is there. Call holding the lock of session `id`. */
  add(hash: string, id: string): Promise<void> {
    return this.#withLock(hash, async () => {
      const ids = await this.#loadLocked(hash)
      if (ids.has(id)) return
      ids.add(id)
      await replaceFile(this.dir, this.pathOf(hash), encodeIndex(ids), this.#lockOptions.recreateDirectory, this.#syncDirectory)
    })
  }

  /**
   * Removes `ids` from the index file `hash`; an index left empty is deleted. Call holding the locks of those
   * sessions, after their files stopped naming the user.
   */
  remove(hash: string, ids: Iterable<string>): Promise<void> {
    return this.#withLock(hash, async () => {
      const current = await this.#loadLocked(hash)
      let changed = false
      for (const id of ids) changed = current.delete(id) || changed
      if (current.size === 0) removeIfPresent(this.pathOf(hash))
      else if (changed) {
        await replaceFile(this.dir, this.pathOf(hash), encodeIndex(current), this.#lockOptions.recreateDirectory, null)
      }
    })
  }

  #withLock<T>(hash: string, critical: () => Promise<T>): Promise<T> {
    return withKeyLock(join(this.dir, LOCK_PREFIX + hash), this.#lockOptions, critical)
  }

  #read(hash: string): Set<string> | typeof CORRUPT {
    let text: string
    try {
      text = readFileSync(this.pathOf(hash), 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return new Set()
      throw error
    }
    const decoded = decodeIndex(text)
    return decoded instanceof Set ? decoded : CORRUPT
  }

  /** The entries, under the lock; a corrupt index file is reported and rebuilt from the session files. */
  async #loadLocked(hash: string): Promise<Set<string>> {
    const found = this.#read(hash)
    if (found !== CORRUPT) return found
    const ids = await this.#scan(hash)
    this.#files.report({
      type: 'store.corrupt',
      store: 'file',
      detail: `a user index file was unreadable; rebuilt from the session files (${ids.size} sessions)`,
    })
    if (ids.size === 0) removeIfPresent(this.pathOf(hash))
    else {
      await replaceFile(this.dir, this.pathOf(hash), encodeIndex(ids), this.#lockOptions.recreateDirectory, this.#syncDirectory)
    }
    return ids
  }

  /**
   * Every session file that names the user of `hash`, found by reading them all. Run under the index lock: a
   * session moving to the user waits for that lock to add itself, one leaving it waits to remove itself.
   */
  async #scan(hash: string): Promise<Set<string>> {
    const ids = new Set<string>()
    const dir: Dir = await opendir(this.#files.dir)
    for await (const entry of dir) {
      const rest = entry.name.startsWith(this.#files.prefix) ? entry.name.slice(this.#files.prefix.length) : ''
      if (DIGEST.test(rest) && belongsTo(this.#files.load(join(this.#files.dir, entry.name), true), hash)) ids.add(rest)
    }
    return ids
  }

  /** Creates the index directory (0700) on first use, or after it vanished; makes its entry durable. */
  async #createDirectory(): Promise<void> {
    try {
      mkdirSync(this.dir, { mode: 0o700 })
    } catch (error) {
      const code = errorCode(error)
      if (code === 'EEXIST') return
      if (code !== 'ENOENT') throw error
      await this.#files.lockOptions.recreateDirectory()
      try {
        mkdirSync(this.dir, { mode: 0o700 })
      } catch (again) {
        if (errorCode(again) !== 'EEXIST') throw again
        return
      }
    }
    await this.#files.syncDirectory()
  }
}

function removeIfPresent(path: string): void {
  try {
    unlinkFreeingLater(path)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}
