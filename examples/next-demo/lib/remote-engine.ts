import { SessionError, type SessionEngine, type SessionErrorCode, type SessionRecord } from '@sess/core/engine'

/**
 * Test plumbing, not for production: an engine whose every call is a JSON `POST` to `${url}/<method>`,
 * answered by `serveStore` (src/test-store-server.ts) in the test process from a real `SessionStore`.
 * It lets one built and started Next.js server run the binding suite's scenarios, each over the suite's
 * own engine (failures, held writes and all). Errors come back as `SessionError`s with their code.
 */
export function remoteEngine(url: string): SessionEngine {
  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    const response = await fetch(`${url}/${method}`, { method: 'POST', body: JSON.stringify(args) })
    const body = (await response.json()) as { result?: unknown; error?: { code: SessionErrorCode; message: string } }
    if (body.error) throw new SessionError(body.error.code, 'remote', body.error.message)
    return body.result
  }
  const record = (raw: unknown): SessionRecord | null => {
    if (raw === null) return null
    const r = raw as { payload: string; expiresAt: string; version: number }
    return { payload: r.payload, expiresAt: new Date(r.expiresAt), version: r.version }
  }
  return {
    name: 'remote',
    capabilities: { durable: true, touch: true, purge: false },
    read: async (key, now) => record(await call('read', [key, now])),
    create: async (key, value) => void (await call('create', [key, value])),
    update: async (key, value, ifVersion) => void (await call('update', [key, value, ifVersion])),
    destroy: async (key) => void (await call('destroy', [key])),
    touch: async (key, expiresAt) => void (await call('touch', [key, expiresAt])),
  }
}
