import { SessionError, type SessionEngine } from '@sess/core'
import type { DestroyUserOptions, SessionRecord } from '@sess/core/engine'

type Method = 'read' | 'create' | 'update' | 'destroy' | 'touch' | 'purgeExpired' | 'dispose' | 'listUser' | 'destroyUser'

/** An engine whose methods can be made to fail, with a count of the calls each method received. */
export interface Faulty extends SessionEngine {
  /** Methods that reject (with SessionError('ENGINE'), like a driver failure) while listed. */
  failing: Set<Method>
  calls: Record<string, number>
}

/** Wraps `inner` so its methods can fail on demand and are counted. */
export function faulty(inner: SessionEngine, name = 'faulty'): Faulty {
  const failing = new Set<Method>()
  const calls: Record<string, number> = {}
  const wrap =
    <A extends unknown[], R>(method: Method, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls[method] = (calls[method] ?? 0) + 1
      if (failing.has(method))
        throw new SessionError('ENGINE', name, `${method} failed: connection refused`, { cause: new Error('ECONNREFUSED') })
      return fn(...args)
    }
  const engine: Faulty = {
    name,
    capabilities: inner.capabilities,
    failing,
    calls,
    read: wrap('read', (key: string, now: Date) => inner.read(key, now)),
    create: wrap('create', (key: string, record: SessionRecord) => inner.create(key, record)),
    update: wrap('update', (key: string, record: SessionRecord, ifVersion?: number) => inner.update(key, record, ifVersion)),
    destroy: wrap('destroy', (key: string) => inner.destroy(key)),
  }
  if (inner.touch) engine.touch = wrap('touch', inner.touch.bind(inner))
  if (inner.purgeExpired) engine.purgeExpired = wrap('purgeExpired', inner.purgeExpired.bind(inner))
  if (inner.listUser) engine.listUser = wrap('listUser', inner.listUser.bind(inner))
  if (inner.destroyUser) engine.destroyUser = wrap('destroyUser', inner.destroyUser.bind(inner))
  return engine
}

/**
 * Wraps `inner` so that the chosen operations wait until `release()` is called (to interleave a slow db call with
 * others): reads after reading, updates before updating, or (`afterUpdates`) after updating.
 */
export function gated(
  inner: SessionEngine,
  gate: { reads?: boolean; updates?: boolean; afterUpdates?: boolean },
): SessionEngine & { release(): void; waiting(): number } {
  let gates: Array<() => void> = []
  const wait = () => new Promise<void>((resolve) => gates.push(resolve))
  return {
    name: inner.name,
    capabilities: { durable: inner.capabilities.durable, touch: false, purge: false },
    async read(key, now) {
      const record = await inner.read(key, now)
      if (gate.reads) await wait()
      return record
    },
    create: (key, record) => inner.create(key, record),
    async update(key, record, ifVersion) {
      if (gate.updates) await wait()
      await inner.update(key, record, ifVersion)
      if (gate.afterUpdates) await wait()
    },
    destroy: (key) => inner.destroy(key),
    release() {
      const open = gates
      gates = []
      for (const resolve of open) resolve()
    },
    waiting: () => gates.length,
  }
}

/** An engine with a user index, and what its `destroyUser` received. */
export interface Indexed extends SessionEngine {
  destroyed: Array<{ userId: string; options: DestroyUserOptions | undefined }>
}

/**
 * Gives `inner` the user index (`listUser`, `destroyUser`), kept in a map next to it: a stand-in for an indexed
 * engine in cached-db's own tests, so they test cached-db rather than a particular engine.
 */
export function indexed(inner: SessionEngine, name = inner.name): Indexed {
  const owners = new Map<string, { userId: string; handle: string }>()
  const own = (key: string, record: SessionRecord) => {
    if (record.userId === undefined) owners.delete(key)
    else owners.set(key, { userId: record.userId, handle: record.handle! })
  }
  const destroyed: Indexed['destroyed'] = []
  const engine: Indexed = {
    name,
    capabilities: { ...inner.capabilities, userIndex: true },
    destroyed,
    read: async (key, now) => {
      const record = await inner.read(key, now)
      const owner = owners.get(key)
      return record && owner ? { ...record, ...owner } : record
    },
    create: async (key, record) => {
      await inner.create(key, record)
      own(key, record)
    },
    update: async (key, record, ifVersion) => {
      await inner.update(key, record, ifVersion)
      own(key, record)
    },
    destroy: async (key) => {
      await inner.destroy(key)
      owners.delete(key)
    },
    listUser: async (userId, now) => {
      const out: SessionRecord[] = []
      for (const [key, owner] of owners) {
        if (owner.userId !== userId) continue
        const record = await engine.read(key, now)
        if (record) out.push(record)
      }
      return out
    },
    destroyUser: async (userId, options) => {
      destroyed.push({ userId, options })
      let removed = 0
      for (const [key, owner] of [...owners]) {
        if (owner.userId !== userId) continue
        if (options?.handle !== undefined && owner.handle !== options.handle) continue
        if (options?.exceptHandle !== undefined && owner.handle === options.exceptHandle) continue
        await engine.destroy(key)
        removed++
      }
      return removed
    },
  }
  if (inner.touch) engine.touch = inner.touch.bind(inner)
  if (inner.stats) engine.stats = inner.stats.bind(inner)
  return engine
}

/** `inner` without the user index and without `stats`: an engine of before the index. */
export function unindexed(inner: SessionEngine): SessionEngine {
  const { listUser: _list, destroyUser: _destroy, stats: _stats, ...rest } = inner
  const { userIndex: _index, ...capabilities } = inner.capabilities
  return { ...rest, capabilities }
}
