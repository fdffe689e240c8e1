import type { DestroyUserOptions, SessionRecord } from '@sess/core/engine'
import { CORRUPT, type SessionFiles } from './files.js'
import { errorCode } from './fs-errors.js'
import { userDigest } from './key-digest.js'
import { belongsTo, type UserIndex } from './user-index.js'
import { unlinkFreeingLater } from './retired-inode.js'

/**
 * The user's live records. Every entry of the index file is checked against its session file (read without a
 * lock, like `read`); entries whose file is gone or names someone else are pruned.
 */
export async function listUser(files: SessionFiles, index: UserIndex, userId: string, now: Date): Promise<SessionRecord[]> {
  const hash = userDigest(userId)
  const listed: SessionRecord[] = []
  const stale: string[] = []
  for (const id of await index.entries(hash)) {
    const found = files.load(files.sessionPath(id))
    if (found === null || found === CORRUPT || found.userId !== userId) stale.push(id)
    else if (found.expiresAt > now) listed.push(found)
  }
  if (stale.length > 0) await pruneIndex(files, index, hash, stale)
  return listed
}

/**
 * Removes the user's session files — all, only `handle`, or all but `exceptHandle` — holding the lock of each
 * one, then fsyncs the directory once, then drops their entries (and any stale ones met on the way) from the
 * index. Returns how many session files were removed.
 */
export async function destroyUser(
  files: SessionFiles,
  index: UserIndex,
  userId: string,
  options: DestroyUserOptions = {},
): Promise<number> {
  const { handle, exceptHandle } = options
  const hash = userDigest(userId)
  const verdict = (found: SessionRecord | null | typeof CORRUPT): 'remove' | 'keep' | 'stale' => {
    if (found === null || found === CORRUPT || found.userId !== userId) return 'stale'
    if (handle !== undefined && found.handle !== handle) return 'keep'
    if (exceptHandle !== undefined && found.handle === exceptHandle) return 'keep'
    return 'remove'
  }
  // A first look without locks picks the sessions to lock; each is judged again under its lock.
  const candidates = [...(await index.entries(hash))].filter((id) => verdict(files.load(files.sessionPath(id), true)) !== 'keep')
  if (candidates.length === 0) return 0
  let removed = 0
  await files.withLocks(candidates, async () => {
    const dropped: string[] = []
    for (const id of candidates) {
      const path = files.sessionPath(id)
      const judged = verdict(files.load(path, true))
      if (judged === 'keep') continue
      if (judged === 'remove' && unlinkIfPresent(path)) removed++
      dropped.push(id)
    }
    // "Sign out everywhere" must survive a crash: the removals are durable before the answer.
    if (removed > 0) await files.syncDirectory()
    if (dropped.length > 0) await index.remove(hash, dropped)
  })
  return removed
}

/**
 * Drops the `candidates` of the index file `hash` whose session file is gone or no longer names its user, judged
 * again under their locks (a session being created, or moved back to the user, holds its lock while it writes).
 */
export async function pruneIndex(files: SessionFiles, index: UserIndex, hash: string, candidates: readonly string[]): Promise<number> {
  let pruned = 0
  await files.withLocks(candidates, async () => {
    const stale = candidates.filter((id) => !belongsTo(files.load(files.sessionPath(id), true), hash))
    pruned = stale.length
    if (stale.length > 0) await index.remove(hash, stale)
  })
  return pruned
}

function unlinkIfPresent(path: string): boolean {
  try {
    unlinkFreeingLater(path)
    return true
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false
    throw error
  }
}
