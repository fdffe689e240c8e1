import { SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'

/** The reference engine: a {@link SessionEngine} with every optional method, plus how many records it holds. */
export type ReferenceEngine = SessionEngine &
  Required<Pick<SessionEngine, 'touch' | 'purgeExpired' | 'listUser' | 'destroyUser' | 'stats'>> & { readonly size: number }

/** A copy of a record, `userId` and `handle` only when present (so `toEqual` against an anonymous record holds). */
function copy(r: SessionRecord): SessionRecord {
  const out: SessionRecord = { payload: r.payload, expiresAt: new Date(r.expiresAt.getTime()), version: r.version }
  if (r.userId !== undefined) {
    out.userId = r.userId
    if (r.handle !== undefined) out.handle = r.handle
  }
  return out
}

/**
 * The simplest correct engine: a `Map`, records copied in and out, every optional capability (the user index is a
 * scan of the map: exact by construction, nothing to keep in step). The conformance suites test it against
 * themselves; a third-party engine can compare its behaviour with it.
 */
export function referenceEngine(): ReferenceEngine {
  const records = new Map<string, SessionRecord>()
  const ofUser = (userId: string): Array<[string, SessionRecord]> => [...records].filter(([, r]) => r.userId === userId)
  return {
    name: 'reference',
    capabilities: { durable: false, touch: true, purge: true, userIndex: true },
    get size() {
      return records.size
    },
    async read(key, now) {
      const r = records.get(key)
      return r && r.expiresAt > now ? copy(r) : null
    },
    async create(key, record) {
      if (records.has(key)) throw new SessionError('KEY_CONFLICT', 'reference', 'key exists')
      records.set(key, copy(record))
    },
    async update(key, record, ifVersion) {
      const current = records.get(key)
      if (!current) throw new SessionError('NOT_FOUND', 'reference', 'no such session')
      if (ifVersion !== undefined && current.version !== ifVersion)
        throw new SessionError('VERSION_CONFLICT', 'reference', 'version changed')
      records.set(key, copy(record))
    },
    async destroy(key) {
      records.delete(key)
    },
    async touch(key, expiresAt) {
      const r = records.get(key)
      if (r) r.expiresAt = new Date(expiresAt.getTime())
    },
    async purgeExpired(now) {
      let removed = 0
      for (const [key, r] of records) if (r.expiresAt <= now && records.delete(key)) removed++
      return removed
    },
    async listUser(userId, now) {
      return ofUser(userId)
        .filter(([, r]) => r.expiresAt > now)
        .map(([, r]) => copy(r))
    },
    async destroyUser(userId, options = {}) {
      let removed = 0
      for (const [key, r] of ofUser(userId)) {
        if (options.handle !== undefined && r.handle !== options.handle) continue
        if (options.exceptHandle !== undefined && r.handle === options.exceptHandle) continue
        if (records.delete(key)) removed++
      }
      return removed
    },
    async stats(now) {
      let sessions = 0
      let signedIn = 0
      let bytes = 0
      let earliest = Number.POSITIVE_INFINITY
      let latest = Number.NEGATIVE_INFINITY
      for (const [key, r] of records) {
        const at = r.expiresAt.getTime()
        if (at <= now.getTime()) continue
        sessions++
        if (r.userId !== undefined) signedIn++
        bytes += key.length + r.payload.length
        earliest = Math.min(earliest, at)
        latest = Math.max(latest, at)
      }
      return {
        sessions,
        earliestExpiry: sessions === 0 ? null : new Date(earliest),
        latestExpiry: sessions === 0 ? null : new Date(latest),
        bytes,
        signedIn,
      }
    },
  }
}
