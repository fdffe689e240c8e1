import { engineError, isSessionKey, SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { prepareDirectorySync } from './directory.js'
import { CORRUPT, invalidKey, SessionFiles } from './files.js'
import { userDigest } from './key-digest.js'
import { resolveFileOptions, type FileEngineOptions } from './options.js'
import { purgeDirectory } from './purge.js'
import { indexRepair, purgeIndexDirectory } from './purge-index.js'
import { redactKey } from './redact.js'
import { directoryStats } from './stats.js'
import { UserIndex } from './user-index.js'
import { destroyUser, listUser } from './user-sessions.js'

/**
 * Django's `file` session engine: one file per session in a directory, named prefix + SHA-256 (hex) of the key,
 * so a listing of the directory yields no usable cookie.
 *
 * - Keys are checked against the session-key grammar before any file-system call.
 * - The directory is created 0700 and session files 0600; a directory other users can write is refused
 *   (SessionError('CONFIG')), one they can read is reported once as a `store.insecure` event.
 * - Every acknowledged write is durable: temp file, fdatasync, rename, fsync of the directory. The temp file of
 *   `create` and `update` is written before the lock is taken, so its fdatasync overlaps the lock and the check.
 * - `create`, `update`, `touch`, `destroy` and the removals of `purgeExpired` hold a per-key lock
 *   (a lock file created with `O_EXCL`), so versioned updates are race-free between requests and
 *   between processes sharing the directory on one machine. Reads take no lock.
 * - An unreadable file reads as absent and is reported as a `store.corrupt` event.
 * - The user index (`listUser`, `destroyUser`): one file per signed-in user under `.users-<prefix>/`, named by the
 *   SHA-256 of the user id, listing the digests of the user's session files. An entry is made durable before the
 *   session file that needs it and removed only after the session file stopped naming the user, so a crash never
 *   leaves a signed-in session outside its user's index; stale entries are checked against the session files
 *   and pruned (see {@link UserIndex}).
 * - Any other I/O failure rejects with SessionError('ENGINE') carrying the system error.
 *
 * @throws SessionError('CONFIG') at start-up for bad options or a directory that cannot be used.
 */
export function fileEngine(options: FileEngineOptions = {}): SessionEngine {
  const resolved = resolveFileOptions(options)
  const exposure = prepareDirectorySync(resolved.dir, resolved.defaultDir)
  const files = new SessionFiles(resolved)
  const index = new UserIndex(files)
  if (exposure !== null) files.report({ type: 'store.insecure', store: 'file', detail: exposure })

  const run = async <T>(action: string, key: string | null, operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation()
    } catch (error) {
      if (error instanceof SessionError) throw error
      throw engineError('file', action, key === null ? error : redactKey(error, key))
    }
  }
  const checkRecord = (record: SessionRecord): void => {
    if (
      typeof record?.payload !== 'string' ||
      !(record.expiresAt instanceof Date) ||
      Number.isNaN(record.expiresAt.getTime()) ||
      !Number.isSafeInteger(record.version)
    ) {
      throw new SessionError('DATA', 'file', 'a record needs a string payload, a valid expiresAt Date and an integer version')
    }
    const { userId, handle } = record
    if (
      (userId !== undefined && (typeof userId !== 'string' || typeof handle !== 'string')) ||
      (handle !== undefined && typeof handle !== 'string')
    ) {
      throw new SessionError('DATA', 'file', 'a signed-in record needs a string userId and a string handle')
    }
  }
  /**
   * Takes a session out of a user's index once its file no longer names the user. Best effort: the save or destroy
   * has already happened, and an entry left behind is a stale entry, which every reader prunes.
   */
  const dropEntry = (userId: string, id: string): Promise<void> => index.remove(userDigest(userId), [id]).catch(() => undefined)
  const checkUserId = (userId: string): void => {
    if (typeof userId !== 'string') throw new SessionError('DATA', 'file', 'a user id must be a string')
  }

  return {
    name: 'file',
    capabilities: { durable: true, touch: true, purge: true, userIndex: true },

    read(key, now) {
      if (!isSessionKey(key)) return Promise.resolve(null)
      return run('read', key, async () => {
        const found = files.load(files.sessionPath(files.idOf(key)))
        return found === null || found === CORRUPT || found.expiresAt <= now ? null : found
      })
    },

    async create(key, record) {
      if (!isSessionKey(key)) throw invalidKey()
      checkRecord(record)
      const id = files.idOf(key)
      const path = files.sessionPath(id)
      await run('create', key, async () => {
        // Written and fdatasync'd while the lock is taken; in place (renamed) only under it.
        const temp = files.prepare(record)
        try {
          await files.withLock(id, async () => {
            if (files.exists(path)) throw new SessionError('KEY_CONFLICT', 'file', 'a session with this key exists')
            // The index entry is durable before the session file that needs it.
            if (record.userId !== undefined) await index.add(userDigest(record.userId), id)
            await files.commit(temp, path)
          })
        } finally {
          temp.discard()
        }
      })
    },

    async update(key, record, ifVersion) {
      if (!isSessionKey(key)) throw new SessionError('NOT_FOUND', 'file', 'no such session')
      checkRecord(record)
      const id = files.idOf(key)
      const path = files.sessionPath(id)
      await run('update', key, async () => {
        // Written and fdatasync'd while the lock is taken and the version checked; renamed only under the lock.
        const temp = files.prepare(record)
        try {
          await files.withLock(id, async () => {
            const current = files.load(path)
            if (current === null || current === CORRUPT) throw new SessionError('NOT_FOUND', 'file', 'no such session')
            if (ifVersion !== undefined && current.version !== ifVersion) {
              throw new SessionError('VERSION_CONFLICT', 'file', 'the session was saved by another request')
            }
            const from = current.userId
            const to = record.userId
            // Entered into the new user's index first, taken out of the old one's only once the file says so.
            if (to !== undefined && to !== from) await index.add(userDigest(to), id)
            await files.commit(temp, path)
            if (from !== undefined && from !== to) await dropEntry(from, id)
          })
        } finally {
          temp.discard()
        }
      })
    },

    async destroy(key) {
      if (!isSessionKey(key)) return
      const id = files.idOf(key)
      const path = files.sessionPath(id)
      await run('destroy', key, () =>
        files.withLock(id, async () => {
          // Read first to learn the user: the entry goes at once, so logouts never pile up stale entries.
          const current = files.load(path, true)
          await files.remove(path)
          if (current !== null && current !== CORRUPT && current.userId !== undefined) await dropEntry(current.userId, id)
        }),
      )
    },

    async touch(key, expiresAt) {
      if (!isSessionKey(key)) return
      if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime()))
        throw new SessionError('DATA', 'file', 'touch needs a valid Date')
      const id = files.idOf(key)
      const path = files.sessionPath(id)
      await run('touch', key, () =>
        files.withLock(id, async () => {
          const current = files.load(path)
          if (current === null || current === CORRUPT) return
          await files.write(path, { ...current, expiresAt })
        }),
      )
    },

    purgeExpired(now) {
      return run('purgeExpired', null, async () => {
        const repair = indexRepair(files, index)
        const removed = await purgeDirectory(files, now, repair.check)
        repair.finish()
        await purgeIndexDirectory(files, index)
        return removed
      })
    },

    async listUser(userId, now) {
      checkUserId(userId)
      return run('listUser', null, () => listUser(files, index, userId, now))
    },

    async destroyUser(userId, options) {
      checkUserId(userId)
      const { handle, exceptHandle } = options ?? {}
      if ((handle !== undefined && typeof handle !== 'string') || (exceptHandle !== undefined && typeof exceptHandle !== 'string')) {
        throw new SessionError('DATA', 'file', 'handle and exceptHandle must be strings')
      }
      return run('destroyUser', null, () => destroyUser(files, index, userId, options ?? {}))
    },

    stats(now) {
      return run('stats', null, () => directoryStats(files, index, now))
    },

    async dispose() {
      // No handles are held between operations.
    },
  }
}
