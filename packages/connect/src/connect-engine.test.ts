import { createHash } from 'node:crypto'
import { createSessions } from '@sess/core'
import { isSessionError, type SessionRecord } from '@sess/core/engine'
import { CookieJar, createHarness, expectSessionError, newKey, record } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import { connectStore } from './connect-engine.js'
import type { ConnectSessionData, ConnectStoreLike, StoreCallback } from './connect-types.js'
import { memoryStore, pgStores, redisStores } from './test-stores.js'

const now = new Date(Date.UTC(2030, 0, 1))
const digest = (key: string) => createHash('sha256').update(key).digest('hex')

/** A MemoryStore whose `set` waits until `release()`: two engines can both read before either writes. */
function gatedStore(): { store: ConnectStoreLike; hold: () => void; release: () => void; held: () => number } {
  const inner = memoryStore()
  const held: Array<() => void> = []
  let gated = false
  return {
    store: {
      get: (sid, cb) => inner.get(sid, cb),
      set: (sid, session, cb) => {
        if (!gated) return inner.set(sid, session, cb)
        held.push(() => inner.set(sid, session, cb))
      },
      destroy: (sid, cb) => inner.destroy(sid, cb),
    },
    hold: () => {
      gated = true
    },
    release: () => {
      gated = false
      for (const write of held.splice(0)) write()
    },
    held: () => held.length,
  }
}

describe('connectStore: what it declares', () => {
  it('declares no compare-and-set, no touch, no purge, and durable as told', () => {
    expect(connectStore(memoryStore()).capabilities).toEqual({ durable: false, touch: false, purge: false, compareAndSet: false })
    expect(connectStore(memoryStore(), { durable: true }).capabilities.durable).toBe(true)
    expect(connectStore(memoryStore()).name).toBe('connect:MemoryStore')
    expect(connectStore(memoryStore(), { name: 'sessions' }).name).toBe('sessions')
  })

  it('refuses what is not an express-session store, and bad options, with CONFIG at start-up', () => {
    for (const bad of [null, 42, {}, { get() {}, set() {} }]) {
      expect(() => connectStore(bad as never)).toThrow(expect.objectContaining({ name: 'SessionError', code: 'CONFIG' }))
    }
    expect(() => connectStore(memoryStore(), { durable: 'yes' as never })).toThrow(expect.objectContaining({ code: 'CONFIG' }))
    expect(() => connectStore(memoryStore(), { name: '' })).toThrow(expect.objectContaining({ code: 'CONFIG' }))
  })
})

describe('connectStore: without compare-and-set between processes', () => {
  it('inside one engine, saves that read the same version still conflict: exactly one wins', async () => {
    const gate = gatedStore()
    const engine = connectStore(gate.store)
    const key = newKey()
    await engine.create(key, record('{"v":1}'))
    const outcomes = await Promise.allSettled([
      engine.update(key, record('{"a":1}', now, 2), 1),
      engine.update(key, record('{"b":1}', now, 2), 1),
    ])
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(isSessionError((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason, 'VERSION_CONFLICT')).toBe(true)
  })

  it('two engines over one store (two processes) detect a stale version when their saves do not interleave', async () => {
    const store = memoryStore()
    const [a, b] = [connectStore(store), connectStore(store)]
    const key = newKey()
    await a.create(key, record('{"v":1}'))
    await b.update(key, record('{"b":1}', Date.UTC(2030, 0, 2), 2), 1)
    await expectSessionError(a.update(key, record('{"a":1}', Date.UTC(2030, 0, 2), 2), 1), 'VERSION_CONFLICT')
    await b.destroy(key)
    await expectSessionError(a.update(key, record('{"a":1}', Date.UTC(2030, 0, 2), 2)), 'NOT_FOUND')
    expect(await a.read(key, now)).toBeNull()
  })

  it('two engines over one store whose saves interleave both succeed: the later write wins whole (a lost update: the declared limit)', async () => {
    const gate = gatedStore()
    const [a, b] = [connectStore(gate.store), connectStore(gate.store)]
    const key = newKey()
    await a.create(key, record('{"v":1}'))
    gate.hold()
    const both = [
      a.update(key, record('{"a":1}', Date.UTC(2030, 0, 2), 2), 1),
      b.update(key, record('{"b":1}', Date.UTC(2030, 0, 2), 2), 1),
    ]
    await expect.poll(() => gate.held()).toBe(2)
    gate.release()
    await Promise.all(both)
    const stored = (await a.read(key, now))!
    expect(['{"a":1}', '{"b":1}']).toContain(stored.payload)
    expect(stored.version).toBe(2)
    expect(a.capabilities.compareAndSet).toBe(false)
  })
})

describe('connectStore: what reaches the store', () => {
  it('MemoryStore: a session is stored under the digest of its key, never the key', async () => {
    const store = memoryStore() as ConnectStoreLike & { sessions: Record<string, string> }
    const h = createHarness(connectStore(store))
    const jar = new CookieJar()
    const { session } = await h.request(jar, (s) => s.set('user', 'ada'))
    const key = session.key!
    expect(Object.keys(store.sessions)).toEqual([digest(key)])
    expect(JSON.stringify(store.sessions)).not.toContain(key)
  })

  it('connect-redis: stored under prefix + digest, with the TTL the store sets from the expiry', async () => {
    const redis = await redisStores()
    const engine = connectStore(redis.store(), { durable: true })
    const key = newKey()
    await engine.create(key, record('{"d":{},"c":1}', Date.UTC(2030, 0, 2)))
    const raw = await redis.client.get(`${redis.prefix}${digest(key)}`)
    expect(JSON.parse(raw!)).toEqual({
      cookie: { originalMaxAge: null, expires: '2030-01-02T00:00:00.000Z' },
      sess: { payload: '{"d":{},"c":1}', version: 1 },
    })
    expect(await redis.client.ttl(`${redis.prefix}${digest(key)}`)).toBeGreaterThan(0)
    expect(await redis.client.keys(`${redis.prefix}*${key}*`)).toEqual([])
  })

  it('connect-pg-simple: one row under the digest, its expire column the record’s expiry', async () => {
    const pg = await pgStores()
    const engine = connectStore(pg.store(), { durable: true })
    const key = newKey()
    await engine.create(key, record('{"d":{},"c":1}', Date.UTC(2030, 0, 2)))
    const { rows } = await pg.pool.query(`SELECT sid, expire FROM ${pg.table}`)
    expect(rows).toEqual([{ sid: digest(key), expire: new Date(Date.UTC(2030, 0, 2)) }])
  })

  it('a stored session that is not one of ours (an express-session one, or damaged) reads as absent', async () => {
    const store = memoryStore()
    const engine = connectStore(store)
    const key = newKey()
    const put = (value: ConnectSessionData) => new Promise<void>((resolve) => store.set(digest(key), value, () => resolve()))
    for (const value of [
      { cookie: { expires: '2030-01-02T00:00:00.000Z' }, passport: { user: 'ada' } },
      { cookie: { expires: '2030-01-02T00:00:00.000Z' }, sess: { payload: 42, version: 1 } },
      { cookie: { expires: '2030-01-02T00:00:00.000Z' }, sess: { payload: '{}', version: 0 } },
      { cookie: { expires: 'soon' }, sess: { payload: '{}', version: 1 } },
      { cookie: {}, sess: { payload: '{}', version: 1 } },
    ]) {
      await put(value as ConnectSessionData)
      expect(await engine.read(key, now)).toBeNull()
    }
  })
})

describe('connectStore: store failures', () => {
  const failing = (how: 'callback' | 'throw' | 'reject'): ConnectStoreLike => {
    const boom = new Error('store down')
    const fail = (cb?: StoreCallback) => {
      if (how === 'throw') throw boom
      if (how === 'reject') return Promise.reject(boom)
      setImmediate(() => cb?.(boom))
    }
    return { get: (_sid, cb) => fail(cb as StoreCallback), set: (_sid, _s, cb) => fail(cb), destroy: (_sid, cb) => fail(cb) }
  }

  for (const how of ['callback', 'throw', 'reject'] as const) {
    it(`a store that fails (${how}) gives SessionError('ENGINE') with the cause, for every method`, async () => {
      const engine = connectStore(failing(how))
      const key = newKey()
      for (const work of [engine.read(key, now), engine.create(key, record()), engine.update(key, record()), engine.destroy(key)]) {
        const error = await work.then(
          () => null,
          (e: unknown) => e,
        )
        expect(isSessionError(error, 'ENGINE')).toBe(true)
        expect((error as Error & { cause: Error }).cause.message).toBe('store down')
      }
    })
  }

  it('a failed save through createSessions rejects the commit (the binding answers 5xx), nothing acknowledged is lost', async () => {
    const sessions = createSessions({ engine: connectStore(failing('callback')) })
    const session = sessions.load(undefined)
    await session.set('user', 'ada')
    const error = await Promise.resolve(sessions.commit(session)).then(
      () => null,
      (e: unknown) => e,
    )
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as { status: number }).status).toBe(500)
  })

  it('returns copies: the record passed to create is not kept by reference', async () => {
    const engine = connectStore(memoryStore())
    const key = newKey()
    const mine: SessionRecord = record('{"a":1}')
    await engine.create(key, mine)
    mine.payload = '{"changed":true}'
    expect((await engine.read(key, now))!.payload).toBe('{"a":1}')
  })
})
