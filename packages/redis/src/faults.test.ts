import { createSessions, isSessionError, type SessionEngine } from '@sess/core'
import { newKey, record } from '@sess/engine-tests'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { redisEngine } from './redis-engine.js'
import { attempt, ioRedis, nodeRedis, type Outcome } from './test-support.js'
import { ownRedis, type OwnRedis } from './test-server.js'

const COMMAND_TIMEOUT = 300
const later = new Date(Date.UTC(2030, 0, 2))
const now = new Date(Date.UTC(2030, 0, 1))

let server: OwnRedis
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled)
  server = await ownRedis()
  await server.start()
})

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await server.kill()
})

/** One full request through createSessions: read the session, bump a counter, commit. */
async function requestOnce(engine: SessionEngine, cookie: string | null): Promise<string | null> {
  const sessions = createSessions<{ n?: number }>({ engine })
  const session = sessions.load(cookie)
  await session.set('n', ((await session.get('n')) ?? 0) + 1)
  const { setCookie } = await sessions.commit(session)
  return setCookie[0]?.split(';')[0] ?? cookie
}

/** Retries `operation` until it succeeds or `ms` pass. */
async function eventually(operation: () => Promise<unknown>, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    const outcome = await attempt(operation)
    if (outcome.ok) return
    if (Date.now() > deadline) throw outcome.error
    await sleep(50)
  }
}

describe('redis faults: the server dies mid-run and comes back', () => {
  for (const label of ['node-redis', 'ioredis'] as const) {
    it(`${label}: fails fast with SessionError(ENGINE) while Redis is down and recovers by itself`, async () => {
      const client = label === 'node-redis' ? await nodeRedis(server.url, 'test') : await ioRedis(server.url, 'test')
      const engine = redisEngine({ client, prefix: `faults:${label}:`, commandTimeoutMs: COMMAND_TIMEOUT })

      // Steady traffic before, during and after the outage.
      const outcomes: Outcome[] = []
      let running = true
      const load = (async () => {
        let cookie: string | null = null
        while (running) {
          const outcome = await attempt(async () => {
            cookie = await requestOnce(engine, cookie)
          })
          outcomes.push(outcome)
          if (!outcome.ok) cookie = null
          await sleep(5)
        }
      })()
      await sleep(100)
      expect(outcomes.length).toBeGreaterThan(0)
      expect(outcomes.every((o) => o.ok)).toBe(true)

      const everyOperation = () =>
        Promise.all([
          attempt(() => engine.read(newKey(), now)),
          attempt(() => engine.create(newKey(), record('{}', later))),
          attempt(() => engine.update(newKey(), record('{}', later, 2), 1)),
          attempt(() => engine.touch!(newKey(), later)),
          attempt(() => engine.destroy(newKey())),
          attempt(() => requestOnce(engine, null)),
        ])
      await server.kill()
      const justKilled = await everyOperation() // in flight as the socket closes
      await sleep(200)
      const whileReconnecting = await everyOperation() // queued by a client that is reconnecting
      const down = [...justKilled, ...whileReconnecting]
      if (process.env.SESS_DEBUG)
        console.log(
          label,
          down.map((o) => [Math.round(o.ms), String(o.error)]),
        )
      for (const outcome of down) {
        expect(outcome.ok).toBe(false)
        expect(isSessionError(outcome.error, 'ENGINE'), String(outcome.error)).toBe(true)
        expect((outcome.error as { status: number }).status).toBe(500)
        // bounded: the timeout plus scheduling slack, never a hang
        expect(outcome.ms).toBeLessThan(COMMAND_TIMEOUT + 2_000)
      }
      const failuresDuringOutage = outcomes.filter((o) => !o.ok).length

      await server.start()
      // The same client and engine, untouched: the client reconnects by itself.
      await eventually(() => engine.create(newKey(), record('{}', later)), 15_000)
      const key = newKey()
      await engine.create(key, record('{"v":1}', later, 1))
      await engine.update(key, record('{"v":2}', later, 2), 1) // the restarted server lost the Lua scripts: EVAL fallback
      await engine.touch!(key, new Date(later.getTime() + 1000))
      expect(await engine.read(key, now)).toEqual({ payload: '{"v":2}', expiresAt: new Date(later.getTime() + 1000), version: 2 })
      await engine.destroy(key)

      const before = outcomes.length
      await eventually(async () => {
        if (outcomes.length < before + 3 || !outcomes.slice(-3).every((o) => o.ok)) throw new Error('load not recovered yet')
      }, 15_000)
      running = false
      await load

      const failures = outcomes.filter((o) => !o.ok)
      expect(failures.length).toBeGreaterThanOrEqual(failuresDuringOutage)
      expect(failures.length).toBeGreaterThan(0)
      for (const f of failures) {
        expect(isSessionError(f.error, 'ENGINE'), String(f.error)).toBe(true)
        expect(f.ms).toBeLessThan(2 * COMMAND_TIMEOUT + 2_000) // a request is a read plus a write: two bounded commands
      }
      expect(unhandled).toEqual([])
    })
  }
})

describe('redis faults: a command given up on is never sent later', () => {
  it('node-redis: writes that time out while the client reconnects are dropped unsent, and the reused signals stay clean', async () => {
    const client = await nodeRedis(server.url, 'test')
    const engine = redisEngine({ client, prefix: 'faults:unsent:', commandTimeoutMs: COMMAND_TIMEOUT })
    // Warm the runner's signals: controllers of commands that got their replies are reused below.
    await Promise.all(Array.from({ length: 20 }, () => engine.create(newKey(), record('{}', later))))

    await server.kill()
    await sleep(100) // the client notices and queues what follows until it has reconnected
    const keys = Array.from({ length: 10 }, () => newKey())
    const outcomes = await Promise.all(keys.map((key) => attempt(() => engine.create(key, record('{"lost":1}', later)))))
    for (const outcome of outcomes) {
      expect(isSessionError(outcome.error, 'ENGINE'), String(outcome.error)).toBe(true)
      expect(outcome.ms).toBeLessThan(COMMAND_TIMEOUT + 2_000)
    }

    await server.start()
    await eventually(() => engine.create(newKey(), record('{}', later)), 15_000)
    await sleep(200)
    for (const key of keys) expect(await engine.read(key, now)).toBeNull() // aborted before they were written

    // After the aborts, every command still gets its own reply.
    const fresh = Array.from({ length: 200 }, (_, i) => [newKey(), `{"i":${i}}`] as const)
    await Promise.all(fresh.map(([key, payload]) => engine.create(key, record(payload, later))))
    const read = await Promise.all(fresh.map(([key]) => engine.read(key, now)))
    expect(read.map((r) => r?.payload)).toEqual(fresh.map(([, payload]) => payload))
    expect(unhandled).toEqual([])
  })
})
