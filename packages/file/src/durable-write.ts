import { close, closeSync, fdatasync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { errorCode } from './fs-errors.js'
import { randomHex } from './random-names.js'
import { holdRetired, releaseRetired } from './retired-inode.js'

/** Names that can never be a session or index file: they start with a dot, which a prefix may not contain. */
export const TEMP_PREFIX = '.tmp-'

/**
 * The new content of a file, on its way to disk: a temp file in `dir`, written at once and fdatasync'd on the
 * thread pool, that {@link commit} renames over its destination once its data is on disk, or {@link discard}
 * removes. Nobody reads a temp file, so it can be written before the caller holds the lock of the destination:
 * the fdatasync then runs while the caller takes the lock and checks the version, instead of after.
 *
 * Why each flush of a replacement: the fdatasync before the rename, because otherwise a crash could persist the
 * rename before the temp file's data (POSIX orders neither), leaving the file empty or torn; the directory fsync
 * after it (`syncDirectory`), because the rename lives in the directory and an acknowledged save must survive a
 * crash. Neither can stand in for the other.
 */
export class TempFile {
  readonly #path: string
  #fd = -1
  #state: 'writing' | 'committed' | 'discarded' = 'writing'
  /** Settles when the data is on disk, or rejects with the write's error (the temp file is then gone). */
  readonly #written: Promise<void>

  /** Starts writing `text`. Never throws: a failure is reported by {@link commit}. `recreateDirectory` runs once when `dir` has vanished. */
  constructor(dir: string, text: string, recreateDirectory: () => Promise<void>) {
    this.#path = join(dir, `${TEMP_PREFIX}${randomHex(12)}`)
    this.#written = this.#write(text, recreateDirectory)
    this.#written.catch(ignore) // observed by commit(); a discarded file's failure matters to nobody
  }

  async #write(text: string, recreateDirectory: () => Promise<void>): Promise<void> {
    try {
      this.#fd = openSync(this.#path, 'wx', 0o600)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error
      await recreateDirectory()
      if (this.#state === 'discarded') return
      this.#fd = openSync(this.#path, 'wx', 0o600)
    }
    try {
      writeAll(this.#fd, text)
      // The fsync is the slow part: it runs on the thread pool, never on the event loop.
      await new Promise<void>((resolve, reject) => fdatasync(this.#fd, (error) => (error ? reject(error) : resolve())))
    } catch (error) {
      this.#removeNow()
      throw error
    }
  }

  /**
   * Renames the temp file over `path` once its data is on disk, then runs `syncDirectory` (the fsync of the
   * directory that makes the rename durable; `null` when the caller does not need it durable yet). Readers see
   * the old file or the new one. Throws the write's error, or the rename's, leaving the old file and no temp file.
   * The replaced file is held open across the rename and closed on the thread pool once the directory is synced, so
   * the kernel frees it there instead of inside `rename(2)` on the event loop (see {@link holdRetired}).
   */
  async commit(path: string, syncDirectory: (() => Promise<void>) | null): Promise<void> {
    if (this.#state !== 'writing') throw new Error('a temp file is committed or discarded only once')
    this.#state = 'committed'
    await this.#written
    let retired = -1
    try {
      try {
        closeSync(this.#fd)
        this.#fd = -1
        retired = holdRetired(path)
        renameSync(this.#path, path)
      } catch (error) {
        this.#removeNow()
        throw error
      }
      if (syncDirectory !== null) await syncDirectory()
    } finally {
      // After the directory fsync, so that freeing the old file's blocks does not compete with it for the disk.
      releaseRetired(retired)
    }
  }

  /**
   * Drops the temp file unless it was committed (the save was refused or failed first): its name goes at once, its
   * descriptor once the fdatasync in flight has settled.
   */
  discard(): void {
    if (this.#state !== 'writing') return
    this.#state = 'discarded'
    if (this.#fd === -1) return // not created yet (its directory is being recreated), or already removed
    tryUnlink(this.#path)
    this.#written.then(() => {
      const fd = this.#fd
      this.#fd = -1
      if (fd !== -1) close(fd, ignore)
    }, ignore)
  }

  #removeNow(): void {
    if (this.#fd !== -1) tryClose(this.#fd)
    this.#fd = -1
    tryUnlink(this.#path)
  }
}

/**
 * Replaces `path` (a file in `dir`) with `text`, atomically and, with `syncDirectory`, durably (see
 * {@link TempFile}). Without `syncDirectory` the rename is not yet durable when this resolves.
 */
export function replaceFile(
  dir: string,
  path: string,
  text: string,
  recreateDirectory: () => Promise<void>,
  syncDirectory: (() => Promise<void>) | null,
): Promise<void> {
  return new TempFile(dir, text, recreateDirectory).commit(path, syncDirectory)
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8')
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset)
}

function tryClose(fd: number): void {
  try {
    closeSync(fd)
  } catch {
    // already failing; the first error is the one reported
  }
}

function tryUnlink(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // already failing; the first error is the one reported
  }
}

function ignore(): void {}
