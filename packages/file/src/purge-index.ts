import type { SessionRecord } from '@sess/core/engine'
import type { Dir } from 'node:fs'
import { opendir } from 'node:fs/promises'
import { join } from 'node:path'
import { LOCK_PREFIX, type SessionFiles } from './files.js'
import { errorCode } from './fs-errors.js'
import { DIGEST } from './index-format.js'
import { userDigest } from './key-digest.js'
import { breakIfStale } from './lock.js'
import { LEFTOVER_AGE_MS, removeLeftover } from './purge.js'
import { belongsTo, type UserIndex } from './user-index.js'
import { pruneIndex } from './user-sessions.js'

/**
 * The second half of `purgeExpired`, after the session files: walks the index directory entry by entry and drops
 * every entry whose session file is gone or names another user (the sessions just purged, and what crashes left),
 * deleting index files left empty; removes temp files and set-aside locks older than {@link LEFTOVER_AGE_MS} and
 * breaks abandoned locks. Returns how many entries were dropped.
 */
export async function purgeIndexDirectory(files: SessionFiles, index: UserIndex): Promise<number> {
  let dir: Dir
  try {
    dir = await opendir(index.dir)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0
    throw error
  }
  const leftoverBefore = Date.now() - LEFTOVER_AGE_MS
  let pruned = 0
  for await (const { name } of dir) {
    const path = join(index.dir, name)
    if (DIGEST.test(name)) {
      const stale = [...(await index.entries(name))].filter((id) => !belongsTo(files.load(files.sessionPath(id), true), name))
      if (stale.length > 0) pruned += await pruneIndex(files, index, name, stale)
    } else if (name.startsWith(LOCK_PREFIX) && !name.includes('.stale-')) {
      await breakIfStale(path, files.lockOptions.staleMs)
    } else {
      await removeLeftover(path, name, leftoverBefore)
    }
  }
  return pruned
}

/**
 * The repair half of `purgeExpired`'s walk over the session files: a live signed-in session missing from its
 * user's index (the index directory deleted by hand, a file restored from a backup) is entered again, under its
 * lock, and the repairs are reported as one `store.corrupt` event. Each user's index file is read once per walk.
 */
export function indexRepair(
  files: SessionFiles,
  index: UserIndex,
): {
  check: (id: string, record: SessionRecord) => Promise<void>
  finish: () => void
} {
  const seen = new Map<string, Set<string>>()
  let repaired = 0
  return {
    async check(id, record) {
      if (record.userId === undefined) return
      const hash = userDigest(record.userId)
      let ids = seen.get(hash)
      if (ids === undefined) seen.set(hash, (ids = await index.entries(hash)))
      if (ids.has(id)) return
      await files.withLock(id, async () => {
        const current = files.load(files.sessionPath(id), true)
        if (!belongsTo(current, hash)) return // moved or ended meanwhile: whoever did it kept the index
        const before = (await index.entries(hash)).has(id)
        if (before) return // added since this walk read the index
        await index.add(hash, id)
        repaired++
      })
      ids.add(id)
    },
    finish() {
      if (repaired === 0) return
      files.report({
        type: 'store.corrupt',
        store: 'file',
        detail: `${repaired} signed-in session${repaired === 1 ? ' was' : 's were'} missing from the user index; entered again`,
      })
    },
  }
}
