import { SessionError } from '@sess/core'
import { randomBytes } from 'node:crypto'
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { hostname } from 'node:os'
import { errorCode, ignoreMissing } from './fs-errors.js'

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
 * the lock file `lockPath`, created with `O_CREAT | O_EXCL` (flag `wx`) so exactly one process holds it.
 * The file names its owner (`pid host token`); a lock whose owner process is dead (same host), or that
 * is older than `staleMs`, is broken by renaming it aside and checking that the renamed file is the one
 * judged stale.
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

async function acquire(lockPath: string, options: LockOptions): Promise<HeldLock> {
  const deadline = Date.now() + options.timeoutMs
  let recreated = false
  for (let attempt = 0; ; attempt++) {
    const token = randomBytes(9).toString('base64url')
    let handle
    try {
      handle = await open(lockPath, 'wx', 0o600)
    } catch (error) {
      const code = errorCode(error)
      if (code === 'ENOENT' && !recreated) {
        recreated = true
        await options.recreateDirectory()
        continue
      }
      if (code !== 'EEXIST') throw error
    }
    if (handle) {
      try {
        await handle.writeFile(`${process.pid} ${HOST} ${token}\n`)
        await handle.close()
      } catch (error) {
        await handle.close().catch(() => undefined)
        await ignoreMissing(unlink(lockPath)).catch(() => undefined)
        throw error
      }
      return { token, at: Date.now() }
    }
    if (await breakIfStale(lockPath, options.staleMs)) continue
    if (Date.now() >= deadline) {
      throw new SessionError('ENGINE', 'file', `timed out after ${options.timeoutMs} ms waiting for the lock of a session`)
    }
    await sleep(Math.min(2 ** attempt, 25) * (0.5 + Math.random()))
  }
}

async function release(lockPath: string, held: HeldLock, staleMs: number): Promise<void> {
  // Held for long enough that another process may have judged it stale and taken it: only remove our own.
  if (Date.now() - held.at > staleMs / 2) {
    const text = await ignoreMissing(readFile(lockPath, 'utf8'))
    if (text === undefined || !text.includes(held.token)) return
  }
  await ignoreMissing(unlink(lockPath))
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
  let handle
  try {
    handle = await open(lockPath, 'r')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true
    throw error
  }
  let judged
  let text
  try {
    judged = await handle.stat()
    text = await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
  if (!isStaleLock(text, judged.mtimeMs, staleMs)) return false
  const aside = `${lockPath}.stale-${randomBytes(6).toString('hex')}`
  try {
    await rename(lockPath, aside)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true
    throw error
  }
  const moved = await stat(aside)
  if (moved.ino !== judged.ino || moved.dev !== judged.dev) {
    // Between our look and the rename, someone replaced the stale lock with a live one: put it back.
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
