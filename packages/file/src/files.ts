import { SessionError, type SessionEvent, type SessionRecord } from '@sess/core/engine'
import { randomBytes } from 'node:crypto'
import { closeSync, fdatasync, lstatSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { DirectorySync, prepareDirectory } from './directory.js'
import { errorCode } from './fs-errors.js'
import { withKeyLock, type LockOptions } from './lock.js'
import type { ResolvedFileOptions } from './options.js'
import { keyDigest } from './key-digest.js'
import { decodeRecord, encodeRecord, isRecord } from './record.js'

/** Names that can never be a session file: they start with a dot, which a prefix may not contain. */
export const TEMP_PREFIX = '.tmp-'
/** See {@link TEMP_PREFIX}. */
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
   * Replaces `path` with a file holding `record`, atomically and durably: a temp file in the same
   * directory is written and fsync'd, renamed over `path`, and the directory is fsync'd. A crash at any
   * point leaves the old or the new complete file; a failed write leaves the old file and no temp file.
   */
  async write(path: string, record: SessionRecord): Promise<void> {
    const text = encodeRecord(record)
    const temp = join(this.dir, `${TEMP_PREFIX}${randomBytes(12).toString('hex')}`)
    let fd: number
    try {
      fd = openSync(temp, 'wx', 0o600)
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error
      await this.lockOptions.recreateDirectory()
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
    await this.#dirSync.sync()
  }

  /** Removes `path` durably; `false` when it did not exist. */
  async remove(path: string): Promise<boolean> {
    try {
      unlinkSync(path)
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return false
      throw error
    }
    await this.#dirSync.sync()
    return true
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

/** Thrown by operations that refuse a key before touching the file system. */
export function invalidKey(): SessionError {
  return new SessionError('DATA', 'file', 'refused a key that is not a session key ([a-z0-9]{32}); nothing was stored')
}
