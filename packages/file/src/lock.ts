import { SessionError } from '@sess/core/engine'
import { symlinkSync, unlinkSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { link, lstat, open, readFile, readlink, rename, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { errorCode, ignoreMissing } from './fs-errors.js'
import { randomBase64url, randomHex } from './random-names.js'

/** How {@link withKeyLock} waits for and recovers locks. */
export interface LockOptions {
  /** Give up (SessionError('ENGINE')) after waiting this long for a lock. */
  timeoutMs: number
  /** A lock file older than this is abandoned, whoever wrote it. */
  staleMs: number
  /** Called when the lock file cannot be created because the directory is gone; recreates it. */
  recreateDirectory: () => Promise<void>
}

const HOST = hostname()

/**
 * In-process queues, one per lock path, shared by every engine instance of this module: concurrent
 * operations on one key in one process wait here instead of polling the lock file.
 */
const queues = new Map<string, Promise<void>>()

/**
 * Runs `critical` while holding the lock of one session: first this process's queue for the key, then
 * the lock `lockPath`, created only if absent (a symlink, see {@link create}) so exactly one process
 * holds it. The lock names its owner (`pid host token`); a lock whose owner process is dead (same host),
 * or that is older than `staleMs`, is broken by renaming it aside and checking that the renamed entry
 * is the one judged stale.
 */
export async function withKeyLock<T>(lockPath: string, options: LockOptions, critical: () => Promise<T>): Promise<T> {
  const previous = queues.get(lockPath)
  let done!: () => void
  const mine = new Promise<void>((resolve) => {
    done = resolve
  })
  const tail = previous ? previous.then(() => mine) : mine
  queues.set(lockPath, tail)
  try {
    if (previous) await previous
    const held = await acquire(lockPath, options)
    let result: T
    try {
      result = await critical()
    } catch (error) {
      await release(lockPath, held, options.staleMs).catch(() => undefined)
      throw error
    }
    await release(lockPath, held, options.staleMs)
    return result
  } finally {
    done()
    if (queues.get(lockPath) === tail) queues.delete(lockPath)
  }
}

interface HeldLock {
  token: string
  at: number
}

/** Filesystems (and Windows without privileges) that cannot create symlinks get an `O_EXCL` file instead. */
let symlinksUnsupported = process.platform === 'win32'

async function acquire(lockPath: string, options: LockOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs
  let recreated = false
  for (let attempt = 0; ; attempt++) {
    const token = randomBase64url(9)
    const owner = `${process.pid} ${HOST} ${token}`
    try {
      await create(lockPath, owner)
      return { token, at: Date.now() }
    } catch (error) {
      const code = errorCode(error)
      if (code === 'ENOENT' && !recreated) {
        recreated = true
        await options.recreateDirectory()
        continue
      }
      if (code !== 'EEXIST') throw error
    }
    if (await breakIfStale(lockPath, options.staleMs)) continue
    if (Date.now() >= deadline) {
      throw new SessionError('ENGINE', 'file', `timed out after ${options.timeoutMs} ms waiting for the lock of a session`)
    }
    await sleep(Math.min(2 ** attempt, 25) * (0.5 + Math.random()))
  }
}

/**
 * Creates the lock, or fails with EEXIST. The lock is a symlink whose target is the owner: `symlink(2)`
 * creates the entry and its content in one atomic step. (An `O_EXCL` file exists empty for a moment
 * before its owner is written; a crash in that moment would leave a lock nobody can attribute.)
 */
async function create(lockPath: string, owner: string): Promise<void> {
  if (!symlinksUnsupported) {
    try {
      // Synchronous: one metadata call on a local directory is cheaper than a thread-pool round trip.
      symlinkSync(owner, lockPath)
      return
    } catch (error) {
      const code = errorCode(error)
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error
      symlinksUnsupported = true
    }
  }
  const handle = await open(lockPath, 'wx', 0o600)
  try {
    await handle.writeFile(owner)
    await handle.close()
  } catch (error) {
    await handle.close().catch(() => undefined)
    await ignoreMissing(unlink(lockPath)).catch(() => undefined)
    throw error
  }
}

/** The owner written in a lock (a symlink's target, or a lock file's content). */
async function readOwner(lockPath: string, isSymlink: boolean): Promise<string> {
  return isSymlink ? readlink(lockPath) : readFile(lockPath, 'utf8')
}

async function release(lockPath: string, held: HeldLock, staleMs: number): Promise<void> {
  // Held for long enough that another process may have judged it stale and taken it: only remove our own.
  if (Date.now() - held.at > staleMs / 2) {
    const info = await ignoreMissing(lstat(lockPath))
    const owner = info && (await ignoreMissing(readOwner(lockPath, info.isSymbolicLink())))
    if (owner === undefined || !owner.includes(held.token)) return
  }
  try {
    unlinkSync(lockPath)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}

/** Whether a lock file's owner is gone: it is too old, or names a dead process on this host. */
export function isStaleLock(text: string, mtimeMs: number, staleMs: number): boolean {
  if (Date.now() - mtimeMs > staleMs) return true
  const [pidText, host] = text.split(' ')
  if (host !== HOST || pidText === undefined) return false
  const pid = Number(pidText)
  // Our own pid: another copy of this module may hold it (or a pid reused after a restart): wait for age.
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return errorCode(error) === 'ESRCH'
  }
}

/**
 * Removes the lock at `lockPath` when it is stale. Returns `true` when the caller should retry at once
 * (the lock was removed or had vanished), `false` when it is held.
 */
export async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  let judged: Stats
  let owner: string
  try {
    judged = await lstat(lockPath)
    owner = await readOwner(lockPath, judged.isSymbolicLink())
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true
    throw error
  }
  if (!isStaleLock(owner, judged.mtimeMs, staleMs)) return false
  const aside = `${lockPath}.stale-${randomHex(6)}`
  try {
    await rename(lockPath, aside)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true
    throw error
  }
  // The owner was read after lstat: the lock may have been replaced in between. Only the inode we judged goes.
  const moved = await lstat(aside)
  if (moved.ino !== judged.ino || moved.dev !== judged.dev) {
    // Someone replaced the stale lock with a live one meanwhile: put it back (link does not follow symlinks).
    await link(aside, lockPath).catch(() => undefined)
    await unlink(aside)
    return false
  }
  await unlink(aside)
  return true
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
