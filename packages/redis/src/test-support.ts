import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { afterAll, onTestFinished } from 'vitest'

/** The shared Redis of this machine. */
export const REDIS_URL = 'redis://127.0.0.1:6379'

/** A prefix no other test run uses; every key under it is deleted after the file's tests. */
export function uniquePrefix(label: string): string {
  const prefix = `sess-test:${label}:${process.pid}-${randomBytes(4).toString('hex')}:`
  afterAll(async () => {
    const admin = new Redis(REDIS_URL, { lazyConnect: true })
    await admin.connect()
    let cursor = '0'
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await admin.del(...keys)
    } while (cursor !== '0')
    await admin.quit()
  })
  return prefix
}

/** When a helper's resource is released: after the file's tests, or (`test`) after the current test. */
type Scope = 'file' | 'test'
const cleanup = (scope: Scope, fn: () => Promise<void>) => (scope === 'test' ? onTestFinished(fn) : afterAll(fn))

/** A connected node-redis client, closed after the file's tests (or the current test). */
export async function nodeRedis(url = REDIS_URL, scope: Scope = 'file'): Promise<ReturnType<typeof createClient>> {
  const client = createClient({ url })
  client.on('error', () => undefined)
  await client.connect()
  cleanup(scope, async () => {
    if (client.isOpen) client.destroy()
  })
  return client
}

/** A connected ioredis client, closed after the file's tests (or the current test). */
export async function ioRedis(url = REDIS_URL, scope: Scope = 'file'): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true })
  client.on('error', () => undefined)
  await client.connect()
  cleanup(scope, async () => {
    client.disconnect()
  })
  return client
}

/** Every outcome of an operation: ok, or the error and how long it took to arrive. */
export interface Outcome {
  ok: boolean
  error?: unknown
  ms: number
}

/** Runs `operation` and reports how it ended and after how many ms; never throws. */
export async function attempt(operation: () => Promise<unknown>): Promise<Outcome> {
  const started = performance.now()
  try {
    await operation()
    return { ok: true, ms: performance.now() - started }
  } catch (error) {
    return { ok: false, error, ms: performance.now() - started }
  }
}
