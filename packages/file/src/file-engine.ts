import { engineError, isSessionKey, SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'
import { prepareDirectorySync } from './directory.js'
import { CORRUPT, invalidKey, SessionFiles } from './files.js'
import { resolveFileOptions, type FileEngineOptions } from './options.js'
import { purgeDirectory } from './purge.js'
import { redactKey } from './redact.js'

/**
 * Django's `file` session engine: one file per session in a directory, named prefix + SHA-256 (hex) of the key,
 * so a listing of the directory yields no usable cookie.
 *
 * - Keys are checked against the session-key grammar before any file-system call.
 * - The directory is created 0700 and session files 0600; a directory other users can write is refused
 *   (SessionError('CONFIG')), one they can read is reported once as a `store.insecure` event.
 * - Every acknowledged write is durable: temp file, fsync, rename, fsync of the directory.
 * - `create`, `update`, `touch`, `destroy` and the removals of `purgeExpired` hold a per-key lock
 *   (a lock file created with `O_EXCL`), so versioned updates are race-free between requests and
 *   between processes sharing the directory on one machine. Reads take no lock.
 * - An unreadable file reads as absent and is reported as a `store.corrupt` event.
 * - Any other I/O failure rejects with SessionError('ENGINE') carrying the system error.
 *
 * @throws SessionError('CONFIG') at start-up for bad options or a directory that cannot be used.
 */
export function fileEngine(options: FileEngineOptions = {}): SessionEngine {
  const resolved = resolveFileOptions(options)
  const exposure = prepareDirectorySync(resolved.dir, resolved.defaultDir)
  const files = new SessionFiles(resolved)
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
  }

  return {
    name: 'file',
    capabilities: { durable: true, touch: true, purge: true },

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
      await run('create', key, () =>
        files.withLock(id, async () => {
          if (files.exists(path)) throw new SessionError('KEY_CONFLICT', 'file', 'a session with this key exists')
          await files.write(path, record)
        }),
      )
    },

    async update(key, record, ifVersion) {
      if (!isSessionKey(key)) throw new SessionError('NOT_FOUND', 'file', 'no such session')
      checkRecord(record)
      const id = files.idOf(key)
      const path = files.sessionPath(id)
      await run('update', key, () =>
        files.withLock(id, async () => {
          const current = files.load(path)
          if (current === null || current === CORRUPT) throw new SessionError('NOT_FOUND', 'file', 'no such session')
          if (ifVersion !== undefined && current.version !== ifVersion) {
            throw new SessionError('VERSION_CONFLICT', 'file', 'the session was saved by another request')
          }
          await files.write(path, record)
        }),
      )
    },

    async destroy(key) {
      if (!isSessionKey(key)) return
      const id = files.idOf(key)
      const path = files.sessionPath(id)
      await run('destroy', key, () => files.withLock(id, () => files.remove(path)))
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
      return run('purgeExpired', null, () => purgeDirectory(files, now))
    },

    async dispose() {
      // No handles are held between operations.
    },
  }
}
