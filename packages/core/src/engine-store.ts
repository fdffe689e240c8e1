import type { LoadedSession, SessionEngine, SessionRecord, SessionStore } from './engine.js'
import { engineError } from './errors.js'
import { isSessionKey } from './keys.js'

/**
 * Adapts a server-side engine to the store level: the cookie value is the session key, checked against
 * the key grammar before the engine sees it. Driver failures become `SessionError('ENGINE')`.
 */
export function engineStore(engine: SessionEngine): SessionStore {
  const { name } = engine
  const fail =
    (action: string) =>
    (error: unknown): never => {
      throw engineError(name, action, error)
    }
  const store: SessionStore = {
    name,
    revocable: true,
    wellFormed: isSessionKey,
    async load(cookieValue: string, now: Date): Promise<LoadedSession | null> {
      if (!isSessionKey(cookieValue)) return null
      const record = await engine.read(cookieValue, now).catch(fail('read'))
      return record === null ? null : { key: cookieValue, record }
    },
    read: (key: string, now: Date): Promise<SessionRecord | null> => engine.read(key, now).catch(fail('read')),
    create: (key, record) => engine.create(key, record).catch(fail('create')),
    update: (key, record, ifVersion) => engine.update(key, record, ifVersion).catch(fail('update')),
    destroy: (key) => engine.destroy(key).catch(fail('destroy')),
    cookieValue: (key) => key,
  }
  if (engine.touch) {
    const touch = engine.touch.bind(engine)
    store.touch = (key, expiresAt) => touch(key, expiresAt).catch(fail('touch'))
  }
  if (engine.purgeExpired) {
    const purge = engine.purgeExpired.bind(engine)
    store.purgeExpired = (now) => purge(now).catch(fail('purgeExpired'))
  }
  if (engine.dispose) store.dispose = engine.dispose.bind(engine)
  return store
}

/** Whether `value` is a store (has the store-level methods) rather than an engine. */
export function isSessionStore(value: SessionEngine | SessionStore): value is SessionStore {
  return typeof (value as SessionStore).load === 'function' && typeof (value as SessionStore).cookieValue === 'function'
}
