import { SessionError, type SessionEngine, type SessionEventListener, type SessionRecord } from '@sess/core/engine'
import { names } from './names.js'
import { NAME, resolveRedisOptions, type RedisEngineOptions } from './options.js'
import { runner } from './runner.js'
import { DESTROY, TOUCH, UPDATE } from './scripts.js'
import { engineStats } from './stats.js'
import { UserIndex } from './user-index.js'
import { decodeValue, encodeValue, expiryText, ownerOf } from './value.js'

/** How many times `touch` follows a session that changes owner under it before giving up. */
const TOUCH_ATTEMPTS = 3

/**
 * A session engine on Redis (or Valkey, or Redis Cluster): one string key per session, named by the prefix and
 * the SHA-256 of the session key, expired by Redis itself (PXAT), and one sorted set per signed-in user indexing
 * that user's sessions (`capabilities.userIndex`). Costs for an anonymous session: read = 1 command (GET),
 * create = 1 (SET NX PXAT), update = 1 (EVALSHA), touch = 1 (EVALSHA), destroy = 1 (EVALSHA). A signed-in write adds
 * one index command, sent before the session write (at once on one connection, after its reply on a cluster).
 * Every command touches one key, so it runs on Redis Cluster.
 * @throws SessionError('CONFIG') for a client it cannot use or a bad option.
 */
export function redisEngine(options: RedisEngineOptions): SessionEngine {
  const { connection, prefix, commandTimeoutMs, onEvent } = resolveRedisOptions(options)
  const r = runner(connection, commandTimeoutMs)
  const named = names(prefix)
  const index = new UserIndex(r, named)
  /** Deletes a session whose index write failed after the session write landed: it must not live unindexed. */
  const drop = (k: string) => () => r.run('undo', k, ['DEL', k])

  return {
    name: NAME,
    capabilities: { durable: true, touch: true, purge: false, userIndex: true },

    async read(key: string, now: Date): Promise<SessionRecord | null> {
      const k = named.session(key)
      const value = await r.run('read', k, ['GET', k], true)
      if (value == null || value === '') return null // '' is the placeholder of a key a listing found gone
      const record = typeof value === 'string' ? decodeValue(value) : null
      if (!record) {
        report(onEvent, { type: 'store.corrupt', store: NAME, detail: 'a value under the prefix does not have the @sess/redis format' })
        return null
      }
      return record.expiresAt > now ? record : null
    },

    async create(key: string, record: SessionRecord): Promise<void> {
      const k = named.session(key)
      const value = encodeValue(record)
      const expiry = record.expiresAt.getTime()
      const write = () => r.run('create', k, ['SET', k, value, 'NX', 'PXAT', String(expiry)])
      const owner = ownerOf(record)
      const reply =
        owner === ''
          ? await write()
          : await r.inOrder(
              () => index.add(owner, k, expiry),
              write,
              (ok) => (ok == null ? Promise.resolve() : drop(k)()),
            )
      if (reply == null) throw new SessionError('KEY_CONFLICT', NAME, 'a session with this key exists')
    },

    async update(key: string, record: SessionRecord, ifVersion?: number): Promise<void> {
      const k = named.session(key)
      const expected = ifVersion === undefined ? '' : String(ifVersion)
      const value = encodeValue(record)
      const expiry = record.expiresAt.getTime()
      const owner = ownerOf(record)
      const write = () => r.script('update', UPDATE, k, [expected, value, String(expiry), owner])
      const updated = (reply: unknown) => typeof reply === 'string' || Number(reply) === 1
      const reply =
        owner === ''
          ? await write()
          : await r.inOrder(
              () => index.add(owner, k, expiry),
              write,
              (x) => (updated(x) ? drop(k)() : Promise.resolve()),
            )
      if (typeof reply === 'string') return index.remove(reply, k) // it was signed in as someone else until now
      if (Number(reply) === 0) throw new SessionError('NOT_FOUND', NAME, 'the session no longer exists')
      if (Number(reply) === -1) throw new SessionError('VERSION_CONFLICT', NAME, 'the session was saved by another request')
    },

    async destroy(key: string): Promise<void> {
      const k = named.session(key)
      const previous = await r.script('destroy', DESTROY, k, [])
      if (typeof previous === 'string') await index.remove(previous, k)
    },

    async touch(key: string, expiresAt: Date): Promise<void> {
      const k = named.session(key)
      const args = [expiryText(expiresAt), String(expiresAt.getTime())]
      let reply = await r.script('touch', TOUCH, k, [...args, ''])
      let owner = ''
      // A signed-in session: raise its index entry first, then move the expiry (if it is still that user's).
      for (let attempt = 0; typeof reply === 'string' && attempt < TOUCH_ATTEMPTS; attempt++) {
        const current = reply
        owner = current
        const write = () => r.script('touch', TOUCH, k, [...args, current])
        reply =
          current === ''
            ? await write()
            : await r.inOrder(
                () => index.add(current, k, expiresAt.getTime()),
                write,
                (x) => (Number(x) === 1 ? drop(k)() : Promise.resolve()),
              )
      }
      if (typeof reply === 'string') throw new SessionError('ENGINE', NAME, 'touch failed: the session kept changing users')
      if (Number(reply) === 2 && owner !== '') await index.remove(owner, k) // touched to a passed expiry: the key is gone
    },

    listUser: (userId: string, now: Date) => index.list(userId, now),
    destroyUser: (userId, destroyOptions) => index.destroy(userId, destroyOptions),
    stats: (now: Date) => engineStats(r, named, prefix, now),

    async dispose(): Promise<void> {
      // The client belongs to the application: it connects and quits it.
    },
  }
}

function report(listener: SessionEventListener | undefined, event: Parameters<SessionEventListener>[0]): void {
  try {
    listener?.(event)
  } catch {
    // listeners must not throw; if one does, the request goes on
  }
}
