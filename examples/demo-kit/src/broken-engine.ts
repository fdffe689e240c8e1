import { type SessionEngine, SessionError } from '@sess/core'

/**
 * Storage that reads nothing and cannot write ("disk full"): what the demos' failing-store cases serve, to
 * show that a failed save answers 500, never the handler's 200. Web-standard (the worker demo uses it too).
 */
export function brokenEngine(): SessionEngine {
  return {
    name: 'broken',
    capabilities: { durable: true, touch: false, purge: false },
    read: async () => null,
    create: async () => {
      throw new SessionError('ENGINE', 'broken', 'create failed: disk full')
    },
    update: async () => {
      throw new SessionError('ENGINE', 'broken', 'update failed: disk full')
    },
    destroy: async () => {},
  }
}
