import { randomBytes } from 'node:crypto'
import { closeSync, fdatasync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { errorCode } from './fs-errors.js'

/** Names that can never be a session or index file: they start with a dot, which a prefix may not contain. */
export const TEMP_PREFIX = '.tmp-'

/**
 * Replaces `path` (a file in `dir`) with `text`, atomically: a temp file in `dir` is written and fdatasync'd,
 * then renamed over `path`. Readers see the old file or the new one, and a crash never leaves `path` empty or
 * torn. The rename is durable only after the caller fsyncs `dir`. A failed write leaves the old file and no temp
 * file. `recreateDirectory` is called once when `dir` has vanished.
 */
export async function replaceFile(dir: string, path: string, text: string, recreateDirectory: () => Promise<void>): Promise<void> {
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`)
  let fd: number
  try {
    fd = openSync(temp, 'wx', 0o600)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
    await recreateDirectory()
    fd = openSync(temp, 'wx', 0o600)
  }
  try {
    writeAll(fd, text)
    // The fsync is the slow part: it runs on the thread pool, never on the event loop.
    await new Promise<void>((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())))
    closeSync(fd)
    fd = -1
    renameSync(temp, path)
  } catch (error) {
    if (fd !== -1) tryClose(fd)
    tryUnlink(temp)
    throw error
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
