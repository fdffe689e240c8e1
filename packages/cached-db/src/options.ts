import { SessionError, type SessionEngine, type SessionEventListener } from '@sess/core/engine'

/** Options of {@link cachedDbEngine}. */
export interface CachedDbEngineOptions {
  /** The fast engine read first and kept in step (e.g. `memoryEngine()`, or a Redis engine shared by every process). */
  cache: SessionEngine
  /** The engine of record (e.g. `sqliteEngine()`, `fileEngine()`, `postgresEngine()`): every write must succeed here. */
  db: SessionEngine
  /** Receives `store.degraded` events when the cache fails and is bypassed. Must not throw. */
  onEvent?: SessionEventListener
}

const METHODS = ['read', 'create', 'update', 'destroy'] as const

/** Checks the options; bad ones throw SessionError('CONFIG') at start-up. */
export function checkOptions(options: CachedDbEngineOptions): void {
  if (typeof options !== 'object' || options === null) throw config('options must be an object with `cache` and `db` engines')
  for (const role of ['cache', 'db'] as const) {
    const engine = options[role] as Partial<SessionEngine> | undefined
    if (typeof engine !== 'object' || engine === null) throw config(`\`${role}\` must be a session engine`)
    for (const method of METHODS) {
      if (typeof engine[method] !== 'function') throw config(`\`${role}\` is not a session engine: it has no ${method}()`)
    }
    if (typeof engine.capabilities !== 'object' || engine.capabilities === null) throw config(`\`${role}\` declares no capabilities`)
  }
  if (options.cache === options.db) throw config('`cache` and `db` must be two different engines')
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw config('onEvent must be a function')
}

function config(message: string): SessionError {
  return new SessionError('CONFIG', 'cached-db', message)
}
