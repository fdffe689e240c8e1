import { SessionError, type SessionEngine, type SessionRecord } from '@sess/core/engine'

/**
 * The simplest correct engine: a `Map`, records copied in and out. The conformance suites test it
 * against themselves; a third-party engine can compare its behaviour with it.
 */
export function referenceEngine(): SessionEngine & { readonly size: number } {
  const records = new Map<string, SessionRecord>()
  const copy = (r: SessionRecord): SessionRecord => ({ payload: r.payload, expiresAt: new Date(r.expiresAt.getTime()), version: r.version })
  return {
    name: 'reference',
    capabilities: { durable: false, touch: true, purge: true },
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
  }
}
