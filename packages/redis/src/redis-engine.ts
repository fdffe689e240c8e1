import { createHash } from 'node:crypto'
import { engineError, SessionError, type SessionEngine, type SessionEventListener, type SessionRecord } from '@sess/core/engine'
import type { RedisSend } from './client.js'
import { NAME, resolveRedisOptions, type RedisEngineOptions } from './options.js'
import { TOUCH, UPDATE, type Script } from './scripts.js'
import { decodeValue, encodeValue, expiryText } from './value.js'

/**
 * A session engine on Redis (or Valkey, or Redis Cluster): one string key per session, named by the prefix and
 * the SHA-256 of the session key, expired by Redis itself (PXAT). Costs: read = 1 command (GET), create = 1 (SET NX PXAT),
 * update = 1 (EVALSHA), touch = 1 (EVALSHA), destroy = 1 (DEL). Every command touches one key, so it runs on Redis Cluster.
 * @throws SessionError('CONFIG') for a client it cannot use or a bad option.
 */
export function redisEngine(options: RedisEngineOptions): SessionEngine {
  const { send, prefix, commandTimeoutMs: timeout, onEvent } = resolveRedisOptions(options)
  const redisKey = (key: string): string => prefix + createHash('sha256').update(key).digest('hex')
  const run = (action: string, key: string, args: string[], readOnly = false): Promise<unknown> =>
    command(send, { action, key, args, readOnly, timeout })
  const evalScript = async (action: string, script: Script, key: string, args: string[]): Promise<unknown> => {
    try {
      return await run(action, key, ['EVALSHA', script.sha, '1', key, ...args])
    } catch (error) {
      if (!isNoScript(error)) throw error
      return run(action, key, ['EVAL', script.source, '1', key, ...args])
    }
  }

  return {
    name: NAME,
    capabilities: { durable: true, touch: true, purge: false },

    async read(key: string, now: Date): Promise<SessionRecord | null> {
      const k = redisKey(key)
      const value = await run('read', k, ['GET', k], true)
      if (value == null) return null
      const record = typeof value === 'string' ? decodeValue(value) : null
      if (!record) {
        report(onEvent, { type: 'store.corrupt', store: NAME, detail: 'a value under the prefix does not have the @sess/redis format' })
        return null
      }
      return record.expiresAt > now ? record : null
    },

    async create(key: string, record: SessionRecord): Promise<void> {
      const k = redisKey(key)
      const reply = await run('create', k, ['SET', k, encodeValue(record), 'NX', 'PXAT', String(record.expiresAt.getTime())])
      if (reply == null) throw new SessionError('KEY_CONFLICT', NAME, 'a session with this key exists')
    },

    async update(key: string, record: SessionRecord, ifVersion?: number): Promise<void> {
      const k = redisKey(key)
      const expected = ifVersion === undefined ? '' : String(ifVersion)
      const reply = Number(await evalScript('update', UPDATE, k, [expected, encodeValue(record), String(record.expiresAt.getTime())]))
      if (reply === 0) throw new SessionError('NOT_FOUND', NAME, 'the session no longer exists')
      if (reply === -1) throw new SessionError('VERSION_CONFLICT', NAME, 'the session was saved by another request')
    },

    async destroy(key: string): Promise<void> {
      const k = redisKey(key)
      await run('destroy', k, ['DEL', k])
    },

    async touch(key: string, expiresAt: Date): Promise<void> {
      const k = redisKey(key)
      await evalScript('touch', TOUCH, k, [expiryText(expiresAt), String(expiresAt.getTime())])
    },

    async dispose(): Promise<void> {
      // The client belongs to the application: it connects and quits it.
    },
  }
}

/** Sends one command, bounded by `timeout`: no reply in time → abort + `SessionError('ENGINE')`. */
async function command(
  send: RedisSend,
  c: { action: string; key: string; args: string[]; readOnly: boolean; timeout: number },
): Promise<unknown> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  let done = false
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // After a stalled event loop, timers run before pending socket reads: give a reply that already arrived
      // one turn (setImmediate runs after I/O) before declaring the command lost.
      setImmediate(() => {
        if (done) return
        controller.abort()
        reject(new SessionError('ENGINE', NAME, `${c.action} failed: no reply from Redis within ${c.timeout} ms`))
      })
    }, c.timeout)
  })
  try {
    const pending = Promise.resolve().then(() => send({ args: c.args, key: c.key, readOnly: c.readOnly, signal: controller.signal }))
    pending.catch(() => undefined) // a late failure after the timeout must not become an unhandled rejection
    return await Promise.race([pending, expired])
  } catch (error) {
    if (isNoScript(error)) throw error
    throw engineError(NAME, c.action, error)
  } finally {
    done = true
    clearTimeout(timer)
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

function report(listener: SessionEventListener | undefined, event: Parameters<SessionEventListener>[0]): void {
  try {
    listener?.(event)
  } catch {
    // listeners must not throw; if one does, the request goes on
  }
}
