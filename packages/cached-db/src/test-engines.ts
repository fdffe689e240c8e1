import { SessionError, type SessionEngine } from '@sess/core'
import type { SessionRecord } from '@sess/core/engine'

type Method = 'read' | 'create' | 'update' | 'destroy' | 'touch' | 'purgeExpired' | 'dispose'

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
  return engine
}

/**
 * Wraps `inner` so that the chosen operations wait until `release()` is called after doing their work
 * (to interleave a slow db call with others).
 */
export function gated(
  inner: SessionEngine,
  gate: { reads?: boolean; updates?: boolean },
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
