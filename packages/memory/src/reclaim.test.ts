import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { isSessionError } from '@sess/core'
import { ManualClock, newKey, record } from '@sess/engine-tests'
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest'
import { DEFAULT_MAX_SIZE, DEFAULT_SWEEP_INTERVAL, memoryEngine, recordSize } from './index.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('memory: expired sessions are reclaimed without reads (hole 4: no sweeper)', () => {
  it('10 000 expired sessions that nobody reads are gone after one sweep; live ones stay', async () => {
    vi.useFakeTimers()
    const clock = new ManualClock()
    const e = memoryEngine({ now: clock.now, max: 20_000 })
    const expiring = new Date(clock.now().getTime() + 60_000)
    const lasting = new Date(clock.now().getTime() + 3_600_000)
    for (let i = 0; i < 10_000; i++) await e.create(newKey(), record('{"d":{},"c":1}', expiring))
    const live = Array.from({ length: 5 }, () => newKey())
    for (const key of live) await e.create(key, record('{"live":1}', lasting))
    expect(e.size).toBe(10_005)
    // Nothing is expired yet: a sweep removes nothing.
    vi.advanceTimersByTime(DEFAULT_SWEEP_INTERVAL)
    expect(e.size).toBe(10_005)
    clock.advance(61)
    vi.advanceTimersByTime(DEFAULT_SWEEP_INTERVAL)
    expect(e.size).toBe(5)
    for (const key of live) expect((await e.read(key, clock.now()))?.payload).toBe('{"live":1}')
    await e.dispose()
  })

  it('sweeps at the configured interval, and not at all with sweepInterval: false or after dispose', async () => {
    vi.useFakeTimers()
    const clock = new ManualClock()
    const past = new Date(clock.now().getTime() - 1)
    const fast = memoryEngine({ now: clock.now, sweepInterval: 1000 })
    const never = memoryEngine({ now: clock.now, sweepInterval: false })
    const disposed = memoryEngine({ now: clock.now, sweepInterval: 1000 })
    for (const e of [fast, never, disposed]) await e.create(newKey(), record('{}', past))
    await disposed.dispose()
    await disposed.create(newKey(), record('{}', past))
    vi.advanceTimersByTime(999)
    expect([fast.size, never.size, disposed.size]).toEqual([1, 1, 1])
    vi.advanceTimersByTime(1)
    expect([fast.size, never.size, disposed.size]).toEqual([0, 1, 1])
    expect(await never.purgeExpired(clock.now())).toBe(1)
  })

  it('the sweeper never keeps the process alive: a process with a memory engine and sessions exits by itself', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli')
    const dir = mkdtempSync(join(tmpdir(), 'sess-memory-exit-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = join(dir, 'app.mts')
    const script = [
      `import { memoryEngine } from ${JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)))}`,
      'const e = memoryEngine({ sweepInterval: 10 })',
      "await e.create('a'.repeat(32), { payload: '{}', expiresAt: new Date(Date.now() + 3_600_000), version: 1 })",
      "console.log('created', e.size)",
    ].join('\n')
    writeFileSync(file, script)
    // The bound only guards the test run; a process kept alive by the timer would be killed at 60 s and fail here.
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, '--conditions=@sess/source', file], {
      timeout: 60_000,
    })
    expect(stdout.trim()).toBe('created 1')
  })

  it.each([
    ['sweepInterval: 0', { sweepInterval: 0 }],
    ['sweepInterval: -1', { sweepInterval: -1 }],
    ['sweepInterval: 1.5', { sweepInterval: 1.5 }],
    ['sweepInterval: true', { sweepInterval: true }],
    ['sweepInterval beyond a timer', { sweepInterval: 2 ** 31 }],
    ['now: a number', { now: 5 }],
  ])('refuses %s with CONFIG', (_, options) => {
    let error: unknown
    try {
      memoryEngine(options as never)
    } catch (caught) {
      error = caught
    }
    expect(isSessionError(error, 'CONFIG')).toBe(true)
  })
})

describe('memory: a default byte bound (hole 4: 200 values of 1 MB were all kept)', () => {
  it('defaults maxSize to 64 MiB', () => {
    expect(DEFAULT_MAX_SIZE).toBe(64 * 1024 * 1024)
  })

  it('200 sessions of 1 MB do not all stay: the estimate stays under the default bound, the newest are kept', async () => {
    const e = memoryEngine()
    const later = new Date(Date.now() + 3_600_000)
    const keys = Array.from({ length: 200 }, () => newKey())
    const payload = 'x'.repeat(1024 * 1024)
    for (const key of keys) {
      await e.create(key, record(payload, later))
      expect(e.calculatedSize).toBeLessThanOrEqual(DEFAULT_MAX_SIZE)
    }
    const fit = Math.floor(DEFAULT_MAX_SIZE / recordSize(payload))
    expect(e.size).toBe(fit)
    expect(fit).toBeLessThan(40)
    expect(await e.read(keys[0]!, new Date())).toBeNull()
    expect((await e.read(keys[199]!, new Date()))?.payload.length).toBe(payload.length)
    await e.dispose()
  })

  it('an update that keeps the payload size is rewritten in place and keeps the size estimate exact', async () => {
    const e = memoryEngine()
    const key = newKey()
    const later = new Date(Date.now() + 3_600_000)
    await e.create(key, record('{"n":1}', later))
    await e.update(key, record('{"n":2}', later, 2), 1)
    await e.update(key, record('{"n":22}', later, 3), 2)
    expect(e.calculatedSize).toBe(recordSize('{"n":22}'))
    expect((await e.read(key, new Date()))?.payload).toBe('{"n":22}')
    await e.dispose()
  })
})
