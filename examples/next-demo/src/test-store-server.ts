import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isSessionError, type SessionRecord, type SessionStore } from '@sess/core/engine'

/** A running {@link serveStores}. */
export interface StoreServer {
  /** e.g. `http://127.0.0.1:40123`; the Next app's `remoteEngine` calls `${url}/<id>/<method>`. */
  url: string
  /** Serves `store` under `id` (and `settings`, JSON `createSessions` options, at `GET /<id>/settings`) until the returned function is called. */
  add(id: string, store: SessionStore, settings?: object): () => void
  close(): Promise<void>
}

type Raw = { payload: string; expiresAt: string; version: number }
const record = (raw: Raw): SessionRecord => ({
  payload: raw.payload,
  expiresAt: new Date(raw.expiresAt),
  version: raw.version,
})

/** The store methods the remote engine calls, with its JSON arguments turned back into Dates and records. */
const methods: Record<string, (store: SessionStore, args: readonly unknown[]) => Promise<unknown>> = {
  read: (store, [key, now]) => store.read(key as string, new Date(now as string)),
  create: (store, [key, value]) => store.create(key as string, record(value as Raw)),
  update: (store, [key, value, ifVersion]) => store.update(key as string, record(value as Raw), ifVersion as number),
  destroy: (store, [key]) => store.destroy(key as string),
  touch: async (store, [key, expiresAt]) => store.touch?.(key as string, new Date(expiresAt as string)),
}

/**
 * Test plumbing: serves real `SessionStore`s (`sessions.store` of the test's own `createSessions`) to the
 * Next.js server's `remoteEngine` over HTTP on 127.0.0.1, so the built app runs over the very engine the
 * test controls and inspects. Errors travel as `{ error: { code, message } }`.
 */
export async function serveStores(): Promise<StoreServer> {
  const stores = new Map<string, SessionStore>()
  const settingsOf = new Map<string, object>()
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const [, id = '', name = ''] = (request.url ?? '').split('/')
      const store = stores.get(id)
      if (request.method === 'GET' && name === 'settings' && store !== undefined) {
        return response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(settingsOf.get(id) ?? {}))
      }
      const method = Object.hasOwn(methods, name) ? methods[name] : undefined
      const reply = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (store === undefined || method === undefined)
        return reply(404, { error: { code: 'ENGINE', message: `no store ${id} or method ${name}` } })
      method(store, JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]).then(
        (result) => reply(200, { result: result ?? null }),
        (error: unknown) =>
          reply(200, {
            error: isSessionError(error) ? { code: error.code, message: error.message } : { code: 'ENGINE', message: String(error) },
          }),
      )
    })
  })
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add(id, store, settings = {}) {
      stores.set(id, store)
      settingsOf.set(id, settings)
      return () => {
        stores.delete(id)
        settingsOf.delete(id)
      }
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      }),
  }
}
