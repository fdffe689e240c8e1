import { SessionError, type SessionEvent, type SessionRecord } from '@sess/core/engine'
import { lstatSync, readFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { DirectorySync, prepareDirectory } from './directory.js'
import { TEMP_PREFIX, TempFile } from './durable-write.js'
import { errorCode } from './fs-errors.js'
import { withKeyLock, type LockOptions } from './lock.js'
import type { ResolvedFileOptions } from './options.js'
import { keyDigest } from './key-digest.js'
import { decodeRecord, encodeRecord, isRecord } from './record.js'
import { holdRetired, releaseRetired } from './retired-inode.js'

export { TEMP_PREFIX }
/** Lock files start with a dot too (see {@link TEMP_PREFIX}). */
export const LOCK_PREFIX = '.lock-'

/** What {@link SessionFiles.load} found in a file that exists but does not hold a record. */
export const CORRUPT: unique symbol = Symbol('corrupt')

/**
 * The file-system side of the engine: where a key's files live, reading records, atomic replacement,
 * the per-key lock. Keys reaching this class have already passed the key grammar.
 */
export class SessionFiles {
  readonly dir: string
  readonly prefix: string
  readonly lockOptions: LockOptions
  readonly #options: ResolvedFileOptions
  readonly #dirSync: DirectorySync
  readonly #syncDirectory = (): Promise<void> => this.#dirSync.sync()

  constructor(options: ResolvedFileOptions) {
    this.#options = options
    this.dir = options.dir
    this.prefix = options.prefix
    this.#dirSync = new DirectorySync(options.dir)
    this.lockOptions = {
      timeoutMs: options.lockTimeoutMs,
      staleMs: options.staleLockMs,
      recreateDirectory: () => prepareDirectory(options.dir, options.defaultDir),
    }
  }

  /** The id of `key` on disk: its SHA-256 (hex). Files are named after it, never after the key. */
  idOf(key: string): string {
    return keyDigest(key)
  }

  /** The session file of the key whose id ({@link idOf}) is `id`. */
  sessionPath(id: string): string {
    return join(this.dir, this.prefix + id)
  }

  /** Runs `critical` holding the lock of the session `id` (see {@link withKeyLock}). */
  withLock<T>(id: string, critical: () => Promise<T>): Promise<T> {
    return withKeyLock(join(this.dir, LOCK_PREFIX + this.prefix + id), this.lockOptions, critical)
  }

  /**
   * Runs `critical` holding the locks of every session in `ids`, taken one after the other in sorted order (so two
   * callers locking overlapping sets never wait on each other in a cycle). Nothing that holds a user-index lock
   * ever waits for a session lock, so the order "session locks, then the index lock" cannot deadlock either.
   */
  withLocks<T>(ids: Iterable<string>, critical: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(ids)].sort()
    const step = (i: number): Promise<T> => (i === sorted.length ? critical() : this.withLock(sorted[i]!, () => step(i + 1)))
    return step(0)
  }

  /**
   * The record in `path`; `null` when there is no file; {@link CORRUPT} (reported unless `quiet`) when it
   * is unreadable. Synchronous: reading one small file from the page cache costs a few microseconds, less
   * than a round trip through libuv's thread pool.
   */
  load(path: string, quiet = false): SessionRecord | null | typeof CORRUPT {
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null
      throw error
    }
    const decoded = decodeRecord(text)
    if (isRecord(decoded)) return decoded
    if (!quiet)
      this.report({
        type: 'store.corrupt',
        store: 'file',
        detail: decoded.reason,
        ...(decoded.error === undefined ? {} : { error: decoded.error }),
      })
    return CORRUPT
  }

  /** Whether anything exists at `path`. */
  exists(path: string): boolean {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined
  }

  /**
   * Starts writing `record` to a temp file in the directory (written now, fdatasync'd on the thread pool), to be
   * put in place by {@link commit} — typically once the lock is held and the version checked, which then overlap
   * the fdatasync — or dropped with `discard()`. Never throws; a failed write is reported by {@link commit}.
   */
  prepare(record: SessionRecord): TempFile {
    return new TempFile(this.dir, encodeRecord(record), this.lockOptions.recreateDirectory)
  }

  /**
   * Replaces `path` with the prepared `temp`, atomically and durably: once the temp file's data is on disk it is
   * renamed over `path`, and the directory is fsync'd. A crash at any point leaves the old or the new complete
   * file; a failed write leaves the old file and no temp file.
   */
  commit(temp: TempFile, path: string): Promise<void> {
    return temp.commit(path, this.#syncDirectory)
  }

  /** {@link prepare} and {@link commit} at once: for a record that depends on what the file holds now. */
  write(path: string, record: SessionRecord): Promise<void> {
    return this.commit(this.prepare(record), path)
  }

  /** Removes `path` durably; `false` when it did not exist. The file is freed off the event loop (see {@link holdRetired}). */
  async remove(path: string): Promise<boolean> {
    const retired = holdRetired(path)
    try {
      try {
        unlinkSync(path)
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return false
        throw error
      }
      await this.#dirSync.sync()
      return true
    } finally {
      releaseRetired(retired)
    }
  }

  /** Makes earlier unlinks in the directory durable. */
  syncDirectory(): Promise<void> {
    return this.#dirSync.sync()
  }

  /** Sends an event to the `onEvent` listener; a throwing listener is ignored. */
  report(event: SessionEvent): void {
    try {
      this.#options.onEvent?.(event)
    } catch {
      // A listener must not break a request.
    }
  }
}

/** Thrown by operations that refuse a key before touching the file system. */
export function invalidKey(): SessionError {
  return new SessionError('DATA', 'file', 'refused a key that is not a session key ([a-z0-9]{32}); nothing was stored')
}
