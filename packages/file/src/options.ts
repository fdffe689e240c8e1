import { SessionError, type SessionEventListener } from '@sess/core/engine'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** Options of {@link fileEngine}. */
export interface FileEngineOptions {
  /**
   * The directory holding one file per session. Created (mode 0700) at start-up when missing.
   * Default: `sess-sessions` under `os.tmpdir()`, which must then be owned by this user and not
   * writable by others.
   */
  dir?: string
  /** Prepended to the key to make the file name: letters, digits, `_` and `-`, up to 64 characters. Default `sess_`. */
  prefix?: string
  /** Receives `store.corrupt` events for unreadable session files. Must not throw. */
  onEvent?: SessionEventListener
  /** How long an operation waits for the lock of a session before failing with SessionError('ENGINE'). Default 10 000 ms. */
  lockTimeoutMs?: number
  /** A lock file older than this is treated as abandoned. Default 30 000 ms. */
  staleLockMs?: number
}

/** Options after defaults and validation. */
export interface ResolvedFileOptions {
  dir: string
  /** Whether the directory is the engine's own default (checked for ownership and permissions). */
  defaultDir: boolean
  prefix: string
  onEvent: SessionEventListener | undefined
  lockTimeoutMs: number
  staleLockMs: number
}

const PREFIX = /^[A-Za-z0-9_-]{0,64}$/

/** Applies defaults and validates; bad options throw SessionError('CONFIG'). */
export function resolveFileOptions(options: FileEngineOptions): ResolvedFileOptions {
  if (typeof options !== 'object' || options === null) throw new SessionError('CONFIG', 'file', 'options must be an object')
  const { dir, prefix = 'sess_', onEvent, lockTimeoutMs = 10_000, staleLockMs = 30_000 } = options
  if (dir !== undefined && (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0'))) {
    throw new SessionError('CONFIG', 'file', 'dir must be a non-empty path')
  }
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new SessionError('CONFIG', 'file', 'prefix must be up to 64 letters, digits, "_" or "-"')
  }
  if (onEvent !== undefined && typeof onEvent !== 'function') throw new SessionError('CONFIG', 'file', 'onEvent must be a function')
  for (const [name, value] of [
    ['lockTimeoutMs', lockTimeoutMs],
    ['staleLockMs', staleLockMs],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
      throw new SessionError('CONFIG', 'file', `${name} must be a positive number`)
  }
  return {
    dir: resolve(dir ?? join(tmpdir(), 'sess-sessions')),
    defaultDir: dir === undefined,
    prefix,
    onEvent,
    lockTimeoutMs,
    staleLockMs,
  }
}
