import { SessionError } from '@sess/core/engine'
import { closeSync, fsync, lstatSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs'
import { lstat, mkdir, stat } from 'node:fs/promises'

/**
 * Why `info` is not a safe session directory, or `null` when it is. No session directory may be writable by other
 * users (they could plant a session file and be logged in as anyone, or delete sessions). A directory the engine
 * chose itself (the default under the shared temp dir) must also be a real directory (not a symlink) owned by
 * this user.
 */
export function directoryProblem(info: Stats, strict: boolean): string | null {
  if (!info.isDirectory()) return 'is not a directory'
  if (typeof process.getuid !== 'function') return null
  if (strict && info.uid !== process.getuid()) return 'is owned by another user'
  if ((info.mode & 0o022) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(3, '0')
    return `is writable by other users (mode ${mode}): they could plant or remove session files; chmod 700 it`
  }
  return null
}

/** A warning about a directory other users can list, or `null`. Their names are digests, so nothing replayable leaks. */
export function directoryExposure(info: Stats): string | null {
  if (typeof process.getuid !== 'function' || (info.mode & 0o055) === 0) return null
  const mode = (info.mode & 0o777).toString(8).padStart(3, '0')
  return `the session directory is readable by other users (mode ${mode}): they can count sessions and see when they change; chmod 700 it`
}

/**
 * Creates the session directory (mode 0700) if needed and checks it, at start-up. Returns a warning when other
 * users can read the existing directory (reported once as a `store.insecure` event), else `null`.
 * @throws SessionError('CONFIG') when it cannot be created or is not a safe directory.
 */
export function prepareDirectorySync(dir: string, strict: boolean): string | null {
  let problem: string | null
  let info: Stats
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    info = strict ? lstatSync(dir) : statSync(dir)
    problem = directoryProblem(info, strict)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new SessionError('CONFIG', 'file', `cannot use the session directory ${dir}: ${reason}`, { cause })
  }
  if (problem) throw new SessionError('CONFIG', 'file', `the session directory ${dir} ${problem}`)
  return directoryExposure(info)
}

/** The same as {@link prepareDirectorySync} at run time (the directory vanished): throws SessionError('ENGINE'). */
export async function prepareDirectory(dir: string, strict: boolean): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const problem = directoryProblem(strict ? await lstat(dir) : await stat(dir), strict)
  if (problem) throw new SessionError('ENGINE', 'file', `the session directory ${dir} ${problem}`)
}

/**
 * Makes renames and unlinks in one directory durable with `fsync` on the directory. Calls that arrive
 * while a sync runs share the next one (which starts after their change), so concurrent writers pay
 * for one directory sync between them. A no-op on Windows, where directories cannot be opened.
 */
export class DirectorySync {
  readonly #dir: string
  #running: Promise<void> | null = null
  #queued: Promise<void> | null = null

  constructor(dir: string) {
    this.#dir = dir
  }

  /** Resolves once a directory fsync that started after this call has finished. */
  sync(): Promise<void> {
    if (process.platform === 'win32') return Promise.resolve()
    if (!this.#running) {
      this.#running = this.#syncNow().finally(() => {
        this.#running = null
      })
      return this.#running
    }
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = null
        return this.sync()
      })
    return this.#queued
  }

  async #syncNow(): Promise<void> {
    const fd = openSync(this.#dir, 'r')
    try {
      await new Promise<void>((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())))
    } finally {
      closeSync(fd)
    }
  }
}
