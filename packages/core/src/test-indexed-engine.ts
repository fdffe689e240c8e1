import type { SessionEngine, SessionRecord } from './engine.js'
import { SessionError } from './errors.js'

/** One write an engine received. */
export interface LoggedWrite {
  op: 'create' | 'update' | 'touch' | 'destroy'
  key: string
  record?: SessionRecord
}

/** A Map engine with the user index (a scan) that logs every write, for core's own tests. */
export function indexedTestEngine(): SessionEngine & { writes: LoggedWrite[]; records: Map<string, SessionRecord> } {
  const records = new Map<string, SessionRecord>()
  const writes: LoggedWrite[] = []
  const copy = (r: SessionRecord): SessionRecord => ({ ...r, expiresAt: new Date(r.expiresAt.getTime()) })
  return {
    name: 'indexed-test',
    capabilities: { durable: false, touch: true, purge: false, userIndex: true },
    writes,
    records,
    async read(key, now) {
      const r = records.get(key)
      return r && r.expiresAt > now ? copy(r) : null
    },
    async create(key, record) {
      if (records.has(key)) throw new SessionError('KEY_CONFLICT', 'indexed-test', 'exists')
      writes.push({ op: 'create', key, record: copy(record) })
      records.set(key, copy(record))
    },
    async update(key, record, ifVersion) {
      const current = records.get(key)
      if (!current) throw new SessionError('NOT_FOUND', 'indexed-test', 'gone')
      if (ifVersion !== undefined && current.version !== ifVersion) throw new SessionError('VERSION_CONFLICT', 'indexed-test', 'changed')
      writes.push({ op: 'update', key, record: copy(record) })
      records.set(key, copy(record))
    },
    async destroy(key) {
      writes.push({ op: 'destroy', key })
      records.delete(key)
    },
    async touch(key, expiresAt) {
      writes.push({ op: 'touch', key })
      const r = records.get(key)
      if (r) r.expiresAt = new Date(expiresAt.getTime())
    },
    async listUser(userId, now) {
      return [...records.values()].filter((r) => r.userId === userId && r.expiresAt > now).map(copy)
    },
    async destroyUser(userId, options = {}) {
      let removed = 0
      for (const [key, r] of records) {
        if (r.userId !== userId) continue
        if (options.handle !== undefined && r.handle !== options.handle) continue
        if (options.exceptHandle !== undefined && r.handle === options.exceptHandle) continue
        records.delete(key)
        removed++
      }
      return removed
    },
  }
}
