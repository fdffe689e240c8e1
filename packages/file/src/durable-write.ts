import { closeSync, fdatasync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { errorCode } from './fs-errors.js'
import { randomHex } from './random-names.js'
import { holdRetired, releaseRetired } from './retired-inode.js'

/** Names that can never be a session or index file: they start with a dot, which a prefix may not contain. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Replaces `path` (a file in `dir`) with `text`, atomically and, with `syncDirectory`, durably: a temp file in
 * `dir` is written and fdatasync'd, renamed over `path`, then `syncDirectory` (an fsync of `dir`) runs. Readers see
 * the old file or the new one, and a crash never leaves `path` empty or torn. Without `syncDirectory` the rename
 * is not yet durable when this resolves. A failed write leaves the old file and no temp file.
 * `recreateDirectory` is called once when `dir` has vanished.
 *
 * Why each flush: the fdatasync before the rename, because otherwise a crash could persist the rename before the
 * temp file's data (POSIX orders neither), leaving `path` empty or torn; the directory fsync after it, because the
 * rename lives in the directory and an acknowledged save must survive a crash. Neither can stand in for the other.
 *
 * The replaced file is held open across the rename and closed on the thread pool once the directory is synced, so
 * the kernel frees it there instead of inside `rename(2)` on the event loop (see {@link holdRetired}).
 */
export async function replaceFile(
  dir: string,
  path: string,
  text: string,
  recreateDirectory: () => Promise<void>,
  syncDirectory: (() => Promise<void>) | null,
): Promise<void> {
  const temp = join(dir, `${TEMP_PREFIX}${randomHex(12)}`)
  let fd: number
  try {
    fd = openSync(temp, 'wx', 0o600)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
    await recreateDirectory()
    fd = openSync(temp, 'wx', 0o600)
  }
  let retired = -1
  try {
    try {
      writeAll(fd, text)
      // The fsync is the slow part: it runs on the thread pool, never on the event loop.
      await new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())))
      closeSync(fd)
      fd = -1
      retired = holdRetired(path)
      renameSync(temp, path)
    } catch (error) {
      if (fd !== -1) tryClose(fd)
      tryUnlink(temp)
      throw error
    }
    if (syncDirectory !== null) await syncDirectory()
  } finally {
    // After the directory fsync, so that freeing the old file's blocks does not compete with it for the disk.
    releaseRetired(retired)
  }
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
