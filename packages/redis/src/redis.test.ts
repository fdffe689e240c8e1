import { createHash } from 'node:crypto'
import { createSessions, isSessionError, type SessionEvent } from '@sess/core'
import { expectSessionError, newKey, record } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import type { RedisCommand } from './client.js'
import { redisEngine } from './redis-engine.js'
import { ioRedis, nodeRedis, uniquePrefix } from './test-support.js'

const node = await nodeRedis()
const io = await ioRedis()
const prefix = uniquePrefix('engine')
const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))
const hashed = (key: string) => prefix + createHash('sha256').update(key).digest('hex')

/** A function client over node-redis that records every command it sends. */
function recording(): { sent: RedisCommand[]; send: (c: RedisCommand) => Promise<unknown> } {
  const sent: RedisCommand[] = []
  return {
    sent,
    send: (c) => {
      sent.push(c)
      return node.sendCommand([...c.args], { abortSignal: c.signal })
    },
  }
}

describe('redis engine specifics', () => {
  it('names the Redis key by the prefix and the SHA-256 of the session key; the key itself is stored nowhere', async () => {
    const e = redisEngine({ client: node, prefix })
    const key = newKey()
    await e.create(key, record('{"d":{"user":"zoe"},"c":1}', later))
    expect(await io.exists(hashed(key))).toBe(1)
    const [, keys] = await io.scan('0', 'MATCH', `*${key}*`, 'COUNT', 100_000)
    expect(keys).toEqual([])
    expect(await io.get(hashed(key))).not.toContain(key)
  })

  it('lets Redis expire the data itself: PEXPIRETIME follows create, update and touch', async () => {
    const e = redisEngine({ client: io, prefix })
    const key = newKey()
    await e.create(key, record('{}', later, 1))
    expect(await io.pexpiretime(hashed(key))).toBe(later.getTime())
    const further = new Date(later.getTime() + 5_000)
    await e.update(key, record('{"v":2}', further, 2), 1)
    expect(await io.pexpiretime(hashed(key))).toBe(further.getTime())
    const furthest = new Date(later.getTime() + 9_000)
    await e.touch!(key, furthest)
    expect(await io.pexpiretime(hashed(key))).toBe(furthest.getTime())
    expect(await e.read(key, now)).toEqual({ payload: '{"v":2}', expiresAt: furthest, version: 2 })
  })

  it('a record whose expiry has passed in real time is gone from Redis', async () => {
    const e = redisEngine({ client: node, prefix })
    const key = newKey()
    await e.create(key, record('{}', new Date(Date.now() - 1000)))
    expect(await io.exists(hashed(key))).toBe(0)
    await expectSessionError(e.update(key, record('{}', later, 2), 1), 'NOT_FOUND')
  })

  it('costs one command per operation on an anonymous session: GET, SET NX PXAT, EVALSHA, EVALSHA, EVALSHA', async () => {
    const { sent, send } = recording()
    const e = redisEngine({ client: send, prefix })
    const key = newKey()
    // Loads the scripts once if the server lacks them.
    await e.create(key, record('{}', later))
    await e.update(key, record('{}', later, 2), 1)
    await e.touch!(key, later)
    await e.destroy(key)
    sent.length = 0
    await e.read(key, now)
    await e.create(key, record('{}', later))
    await e.update(key, record('{"v":2}', later, 2), 1)
    await e.touch!(key, later)
    await e.destroy(key)
    expect(sent.map((c) => c.args[0])).toEqual(['GET', 'SET', 'EVALSHA', 'EVALSHA', 'EVALSHA'])
    expect(sent.every((c) => c.key === hashed(key))).toBe(true)
    expect(sent.map((c) => c.readOnly)).toEqual([true, false, false, false, false])
  })

  it('a request that reads costs one command; one that writes an existing session costs two', async () => {
    const { sent, send } = recording()
    const sessions = createSessions({ engine: redisEngine({ client: send, prefix }) })
    const first = sessions.load(null)
    await first.set('count', 1)
    const { setCookie } = await sessions.commit(first)
    const cookie = setCookie[0]!.split(';')[0]!
    await sessions.load(cookie).get('count')
    sent.length = 0
    const reading = sessions.load(cookie)
    expect(await reading.get('count')).toBe(1)
    await sessions.commit(reading)
    expect(sent.map((c) => c.args[0])).toEqual(['GET'])
    sent.length = 0
    const writing = sessions.load(cookie)
    await writing.set('count', 2)
    await sessions.commit(writing)
    expect(sent.map((c) => c.args[0])).toEqual(['GET', 'EVALSHA'])
  })

  it('reads a foreign value under the prefix as absent and reports store.corrupt', async () => {
    const events: SessionEvent[] = []
    const e = redisEngine({ client: node, prefix, onEvent: (event) => events.push(event) })
    const key = newKey()
    await io.set(hashed(key), 'not a session', 'PX', 60_000)
    expect(await e.read(key, now)).toBeNull()
    expect(events).toEqual([{ type: 'store.corrupt', store: 'redis', detail: expect.any(String) }])
    expect(JSON.stringify(events)).not.toContain(key)
  })

  it('turns a server error into SessionError(ENGINE) with the cause kept', async () => {
    const e = redisEngine({ client: io, prefix })
    const key = newKey()
    await io.hset(hashed(key), 'f', 'v')
    await io.pexpire(hashed(key), 60_000)
    const error = await e.read(key, now).catch((x: unknown) => x)
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as Error).message).toMatch(/^\[@sess\/redis\] read failed: WRONGTYPE/)
    expect((error as Error).cause).toBeInstanceOf(Error)
    await expectSessionError(e.update(key, record(), 1), 'ENGINE')
  })

  it('fails a command that gets no reply with SessionError(ENGINE) after commandTimeoutMs, and aborts it', async () => {
    const signals: AbortSignal[] = []
    const e = redisEngine({
      client: (c: RedisCommand) => {
        signals.push(c.signal)
        return new Promise(() => undefined)
      },
      commandTimeoutMs: 20,
    })
    const error = await e.read(newKey(), now).catch((x: unknown) => x)
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as Error).message).toContain('no reply from Redis within 20 ms')
    expect(signals.map((s) => s.aborted)).toEqual([true])
  })

  it('a reply that arrived while the event loop was blocked past commandTimeoutMs still counts', async () => {
    const e = redisEngine({ client: io, prefix, commandTimeoutMs: 20 })
    const key = newKey()
    await e.create(key, record('{"v":1}', later))
    // A few tries: on a loaded machine Redis may not answer within one blocked stretch; without the
    // one-turn grace every try fails, because the timer always fires first after the block.
    const outcomes: unknown[] = []
    for (let attempt = 0; attempt < 5 && outcomes.at(-1) !== '{"v":1}'; attempt++) {
      const reading = e.read(key, now) // ioredis writes the command to the socket at once
      const until = Date.now() + 300
      while (Date.now() < until) {
        // a long synchronous task (or GC pause): the reply lands in the socket meanwhile
      }
      outcomes.push(
        await reading.then(
          (r) => r?.payload,
          (error: unknown) => String(error),
        ),
      )
    }
    expect(outcomes.at(-1), JSON.stringify(outcomes)).toBe('{"v":1}')
  })

  it('a client that throws synchronously still gives SessionError(ENGINE)', async () => {
    const e = redisEngine({
      client: () => {
        throw new Error('boom')
      },
    })
    await expectSessionError(e.destroy(newKey()), 'ENGINE')
  })

  it('refuses unusable options with SessionError(CONFIG)', () => {
    for (const bad of [
      {},
      { client: 42 },
      { client: null },
      { client: node, commandTimeoutMs: 0 },
      { client: node, commandTimeoutMs: Number.NaN },
      { client: node, prefix: 7 },
    ]) {
      let error: unknown
      try {
        redisEngine(bad as never)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG'), JSON.stringify(bad)).toBe(true)
    }
  })

  it('refuses an expiry Redis cannot store with SessionError(DATA), writing nothing', async () => {
    const e = redisEngine({ client: node, prefix })
    const key = newKey()
    await expectSessionError(e.create(key, record('{}', new Date(Number.NaN))), 'DATA')
    await expectSessionError(e.create(key, record('{}', new Date(-5))), 'DATA')
    expect(await io.exists(hashed(key))).toBe(0)
  })
})
