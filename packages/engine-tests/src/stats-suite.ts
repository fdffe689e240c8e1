import type { EngineStats, SessionEngine } from '@sess/core/engine'
import { describe, expect, it } from 'vitest'
import { newKey, newUserId, record, userRecord } from './fixtures.js'

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

/** An engine with `stats`. */
type StatsEngine = SessionEngine & Required<Pick<SessionEngine, 'stats'>>

/** Checks the shape and the invariants every report has, whatever else the storage holds. */
function expectWellFormed(e: SessionEngine, stats: EngineStats, at: Date): void {
  expect(Number.isSafeInteger(stats.sessions) && stats.sessions >= 0, `sessions is a count, got ${stats.sessions}`).toBe(true)
  if (stats.sessions === 0) {
    expect(stats.earliestExpiry).toBeNull()
    expect(stats.latestExpiry).toBeNull()
  } else {
    expect(stats.earliestExpiry).toBeInstanceOf(Date)
    expect(stats.latestExpiry).toBeInstanceOf(Date)
    // Live records only: nothing that expires at or before `at` may be the earliest.
    expect(stats.earliestExpiry!.getTime()).toBeGreaterThan(at.getTime())
    expect(stats.latestExpiry!.getTime()).toBeGreaterThanOrEqual(stats.earliestExpiry!.getTime())
  }
  if (stats.bytes !== null) expect(Number.isFinite(stats.bytes) && stats.bytes >= 0, `bytes is a size, got ${stats.bytes}`).toBe(true)
  if (e.capabilities.userIndex === true) {
    expect(Number.isSafeInteger(stats.signedIn) && stats.signedIn! >= 0 && stats.signedIn! <= stats.sessions).toBe(true)
  } else {
    expect(stats.signedIn).toBeNull()
  }
}

/**
 * The cases of `stats`, registered by `describeEngine` when the engine has it. Storage may be shared between tests,
 * so they assert what every report must satisfy and the changes their own writes make (tests of one file run one
 * after another; a storage other processes write to at the same time would need a table of its own).
 */
export function describeEngineStats(engine: () => Promise<SessionEngine>): void {
  const withStats = async (): Promise<StatsEngine | null> => {
    const e = await engine()
    return typeof e.stats === 'function' ? (e as StatsEngine) : null
  }

  describe('stats', () => {
    it('reports counts of the right shape', async () => {
      const e = await withStats()
      if (!e) return
      await e.create(newKey(), record('{}', later))
      const stats = await e.stats(now)
      expectWellFormed(e, stats, now)
      expect(stats.sessions).toBeGreaterThanOrEqual(1)
      expect(stats.latestExpiry!.getTime()).toBeGreaterThanOrEqual(later.getTime())
    })

    it('counts live records only, and signedIn counts the indexed ones', async () => {
      const e = await withStats()
      if (!e) return
      const indexed = e.capabilities.userIndex === true
      const ada = newUserId()
      const before = await e.stats(now)
      await e.create(newKey(), record('{}', later))
      await e.create(newKey(), record('{}', later))
      const signedIn = newKey()
      await e.create(signedIn, userRecord(signedIn, ada, '{}', later))
      // Expired at `now`: stored, not live (core ends a cycled-away key this way).
      const expiredAnonymous = newKey()
      await e.create(expiredAnonymous, record('{}', later))
      await e.update(expiredAnonymous, record('{}', now, 2), 1)
      const expiredSignedIn = newKey()
      await e.create(expiredSignedIn, userRecord(expiredSignedIn, ada, '{}', later))
      await e.update(expiredSignedIn, userRecord(expiredSignedIn, ada, '{}', now, 2), 1)
      const after = await e.stats(now)
      expectWellFormed(e, after, now)
      expect(after.sessions - before.sessions).toBe(3)
      if (indexed) expect(after.signedIn! - before.signedIn!).toBe(1)
    })

    it('follows updates and destroys: a sign-out lowers signedIn, a destroy lowers sessions', async () => {
      const e = await withStats()
      if (!e) return
      const indexed = e.capabilities.userIndex === true
      const key = newKey()
      await e.create(key, userRecord(key, newUserId(), '{}', later))
      const signedIn = await e.stats(now)
      await e.update(key, userRecord(key, null, '{}', later, 2), 1)
      const signedOut = await e.stats(now)
      expect(signedOut.sessions).toBe(signedIn.sessions)
      if (indexed) expect(signedIn.signedIn! - signedOut.signedIn!).toBe(1)
      await e.destroy(key)
      const destroyed = await e.stats(now)
      expect(signedOut.sessions - destroyed.sessions).toBe(1)
      if (indexed) expect(destroyed.signedIn).toBe(signedOut.signedIn)
    })

    it('reports the latest expiry and, where it tells bytes, more of them for a 64 KiB record', async () => {
      const e = await withStats()
      if (!e) return
      const before = await e.stats(now)
      const far = new Date(Date.UTC(2031, 0, 1) + Math.floor(Math.random() * 86_400_000))
      const key = newKey()
      // Incompressible: PostgreSQL's TOAST would store 64 KiB of one letter in a few bytes.
      await e.create(key, record(JSON.stringify({ d: { blob: incompressible(64 * 1024) }, c: 1 }), far))
      const after = await e.stats(now)
      expectWellFormed(e, after, now)
      expect(after.latestExpiry!.getTime()).toBeGreaterThanOrEqual(far.getTime())
      expect(after.earliestExpiry!.getTime()).toBeLessThanOrEqual(far.getTime())
      if (before.bytes !== null && after.bytes !== null) expect(after.bytes).toBeGreaterThan(before.bytes)
      await e.destroy(key) // a far expiry would otherwise stay the latest in shared, durable storage
    })
  })
}

/** `length` characters no compressor shrinks much (hex of random bytes). */
function incompressible(length: number): string {
  const bytes = new Uint8Array(length / 2)
  for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
