import { isSessionKey, type SessionRecord } from '@sess/core/engine'
import type { Dir } from 'node:fs'
import { lstat, opendir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { errorCode, ignoreMissing } from './fs-errors.js'
import { CORRUPT, LOCK_PREFIX, TEMP_PREFIX, type SessionFiles } from './files.js'
import { DIGEST } from './index-format.js'
import { breakIfStale } from './lock.js'
import { redactKey } from './redact.js'

/** Temp files and set-aside locks older than this are leftovers of a crash (no write takes minutes). */
export const LEFTOVER_AGE_MS = 10 * 60_000

/**
 * Walks the directory entry by entry (`fs.opendir`, never the whole listing in memory) and removes
 * expired or unreadable session files, files of the old layout named after a raw key (unreachable since 0.1) (each under its key's lock, after reading it again), crash
 * leftovers (temp files older than {@link LEFTOVER_AGE_MS}) and abandoned locks; `onLive` sees every live record. Returns how many
 * session files were removed. Session expiry is judged against `now`; the age of leftovers against
 * the wall clock, because file modification times are wall-clock times.
 */
export async function purgeDirectory(
  files: SessionFiles,
  now: Date,
  onLive?: (id: string, record: SessionRecord) => Promise<void>,
): Promise<number> {
  let dir: Dir
  try {
    dir = await opendir(files.dir)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0
    throw error
  }
  const leftoverBefore = Date.now() - LEFTOVER_AGE_MS
  let removed = 0
  for await (const entry of dir) {
    const { name } = entry
    const path = join(files.dir, name)
    const rest = name.startsWith(files.prefix) ? name.slice(files.prefix.length) : null
    if (rest !== null && DIGEST.test(rest)) {
      const outcome = await purgeSession(files, rest, path, now)
      if (outcome === true) removed++
      else if (outcome !== false) await onLive?.(rest, outcome)
    } else if (rest !== null && isSessionKey(rest)) {
      // A file of the layout before 0.1, named after the raw key: no read can reach it any more, and its name is a secret.
      const gone = await ignoreMissing(unlink(path).then(() => true)).catch((error: unknown) => {
        throw redactKey(error, rest)
      })
      if (gone) removed++
    } else if (name.startsWith(LOCK_PREFIX + files.prefix) && !name.includes('.stale-')) {
      await breakIfStale(path, files.lockOptions.staleMs)
    } else {
      await removeLeftover(path, name, leftoverBefore)
    }
  }
  if (removed > 0) await files.syncDirectory()
  return removed
}

/**
 * Removes a crash leftover: a temp file, or a lock set aside to be broken, older than {@link LEFTOVER_AGE_MS}
 * (wall clock). Anything else is left alone.
 */
export async function removeLeftover(path: string, name: string, leftoverBefore: number): Promise<void> {
  if (!name.startsWith(TEMP_PREFIX) && !(name.startsWith(LOCK_PREFIX) && name.includes('.stale-'))) return
  const info = await ignoreMissing(lstat(path))
  if (info && info.mtimeMs < leftoverBefore) await ignoreMissing(unlink(path))
}

/** `true` when the file was removed, the record when it is live, `false` when it is gone or was renewed meanwhile. */
async function purgeSession(files: SessionFiles, id: string, path: string, now: Date): Promise<boolean | SessionRecord> {
  const seen = files.load(path)
  if (seen === null) return false
  if (seen !== CORRUPT && seen.expiresAt > now) return seen
  return files.withLock(id, async () => {
    // Read again under the lock: a request may have renewed the session since.
    const current = files.load(path, true)
    if (current === null || (current !== CORRUPT && current.expiresAt > now)) return false
    return (await ignoreMissing(unlink(path).then(() => true))) ?? false
  })
}
