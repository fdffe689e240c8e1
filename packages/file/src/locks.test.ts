import { isSessionError } from '@sess/core'
import { generateSessionKey } from '@sess/core/engine'
import { spawn } from 'node:child_process'
import { lstatSync, lutimesSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { fileEngine } from './index.js'
import { later, now, rec, tempRoot, digest } from './test-dirs.js'
import { deadPid, runChild } from './test-spawn.js'

const lockFile = (dir: string, key: string) => join(dir, `.lock-sess_${digest(key)}`)

/** Plants a lock the way the engine makes it (a symlink whose target names the owner), or as a plain file (its fallback). */
function plantLock(dir: string, key: string, owner: string, as: 'symlink' | 'file'): void {
  if (as === 'symlink') symlinkSync(owner, lockFile(dir, key))
  else writeFileSync(lockFile(dir, key), owner)
}

/** A live process on this host that is not us. */
function liveProcess(): number {
  const proc = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
  onTestFinished(() => {
    proc.kill('SIGKILL')
  })
  return proc.pid!
}

describe('file: versioned updates are race-free', () => {
  it('two engine instances over one directory: exactly one of 20 concurrent updates from the same version wins', async () => {
    const dir = join(tempRoot('race'), 'sessions')
    const a = fileEngine({ dir })
    const b = fileEngine({ dir })
    const key = generateSessionKey()
    await a.create(key, rec('{"v":0}'))
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).update(key, rec(JSON.stringify({ writer: i }), 2), 1)),
    )
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
    expect(won).toHaveLength(1)
    for (const r of results) if (r.status === 'rejected') expect(isSessionError(r.reason, 'VERSION_CONFLICT')).toBe(true)
    expect(JSON.parse((await a.read(key, now))!.payload)).toEqual({ writer: won[0] })
  })

  it('two processes incrementing one session with versioned updates lose no increment', async () => {
    const dir = join(tempRoot('race'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, rec('{"n":0}'))
    const task = { mode: 'count', dir, key, increments: 60, lanes: 3, startAt: Date.now() + 2_000 }
    const outputs = await Promise.all([runChild(task), runChild(task)])
    const stored = (await engine.read(key, now))!
    expect(JSON.parse(stored.payload)).toEqual({ n: 120 })
    expect(stored.version).toBe(121)
    // The writers really raced: some updates lost and were retried.
    const conflicts = outputs.map((out) => (JSON.parse(out) as { conflicts: number }).conflicts)
    expect(conflicts[0]! + conflicts[1]!).toBeGreaterThan(0)
    expect(readdirSync(dir)).toEqual([`sess_${digest(key)}`])
  })
})

describe('file: lock files', () => {
  it('the engine locks with a symlink naming its owner, removed after each operation', async () => {
    const dir = join(tempRoot('lock'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, rec())
    const seen: string[] = []
    const watcher = setInterval(() => {
      try {
        if (lstatSync(lockFile(dir, key)).isSymbolicLink()) seen.push(readlinkSync(lockFile(dir, key)))
      } catch {
        // not held right now
      }
    }, 0)
    try {
      for (let i = 1; i < 40 && seen.length === 0; i++) await engine.update(key, rec(`{"n":${i}}`, i + 1), i)
    } finally {
      clearInterval(watcher)
    }
    expect(seen[0]).toMatch(new RegExp(`^${process.pid} ${hostname()} [A-Za-z0-9_-]{12}$`))
    expect(readdirSync(dir)).toEqual([`sess_${digest(key)}`])
  })

  for (const as of ['symlink', 'file'] as const) {
    it(`a lock (${as}) left by a dead process is broken at once`, async () => {
      const dir = join(tempRoot('lock'), 'sessions')
      const engine = fileEngine({ dir, lockTimeoutMs: 5_000 })
      const key = generateSessionKey()
      await engine.create(key, rec())
      plantLock(dir, key, `${await deadPid()} ${hostname()} abandoned`, as)
      await engine.update(key, rec('{"n":2}', 2), 1)
      expect((await engine.read(key, now))?.version).toBe(2)
      expect(readdirSync(dir)).toEqual([`sess_${digest(key)}`])
    })
  }

  it('a lock held by a live process makes writers wait, then fail with SessionError("ENGINE"); the record stays', async () => {
    const dir = join(tempRoot('lock'), 'sessions')
    const engine = fileEngine({ dir, lockTimeoutMs: 150 })
    const key = generateSessionKey()
    await engine.create(key, rec())
    plantLock(dir, key, `${liveProcess()} ${hostname()} busy`, 'symlink')
    for (const attempt of [engine.update(key, rec('{"n":2}', 2), 1), engine.destroy(key), engine.touch!(key, later)]) {
      const error = await attempt.then(
        () => null,
        (e: unknown) => e,
      )
      expect(isSessionError(error, 'ENGINE')).toBe(true)
      expect((error as Error).message).toContain('waiting for the lock')
    }
    expect(await engine.read(key, now)).toEqual(rec())
    expect(readlinkSync(lockFile(dir, key))).toContain('busy')
  })

  it('a lock older than staleLockMs is broken even when its owner lives', async () => {
    const dir = join(tempRoot('lock'), 'sessions')
    const engine = fileEngine({ dir, lockTimeoutMs: 5_000, staleLockMs: 60_000 })
    const key = generateSessionKey()
    await engine.create(key, rec())
    plantLock(dir, key, `${liveProcess()} ${hostname()} hung`, 'symlink')
    const twoMinutesAgo = (Date.now() - 120_000) / 1000
    lutimesSync(lockFile(dir, key), twoMinutesAgo, twoMinutesAgo)
    await engine.update(key, rec('{"n":2}', 2), 1)
    expect((await engine.read(key, now))?.version).toBe(2)
  })

  it('a lock from another host is judged by age only', async () => {
    const dir = join(tempRoot('lock'), 'sessions')
    const engine = fileEngine({ dir, lockTimeoutMs: 150 })
    const key = generateSessionKey()
    await engine.create(key, rec())
    plantLock(dir, key, `${await deadPid()} not-${hostname()} remote`, 'file')
    const error = await engine.update(key, rec('{}', 2), 1).then(
      () => null,
      (e: unknown) => e,
    )
    expect(isSessionError(error, 'ENGINE')).toBe(true)
  })

  it('purgeExpired removes abandoned locks and keeps held ones', async () => {
    const dir = join(tempRoot('lock'), 'sessions')
    const engine = fileEngine({ dir })
    const [dead, held] = [generateSessionKey(), generateSessionKey()]
    plantLock(dir, dead, `${await deadPid()} ${hostname()} abandoned`, 'symlink')
    plantLock(dir, held, `${liveProcess()} ${hostname()} busy`, 'symlink')
    expect(await engine.purgeExpired!(now)).toBe(0)
    expect(readdirSync(dir)).toEqual([`.lock-sess_${digest(held)}`])
  })
})
