import { isSessionError } from '@sess/core'
import { newKey } from '@sess/engine-tests'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { RedisCommand } from './client.js'
import { redisEngine } from './redis-engine.js'
import { attempt } from './test-support.js'

const TIMEOUT = 300
const now = new Date(Date.UTC(2030, 0, 1))

/** A client that answers only the commands `answer` picks (a nil reply), and keeps every command's signal. */
function partialClient(answer: (n: number) => boolean) {
  const signals: AbortSignal[] = []
  const abortedWhenSent: boolean[] = []
  let n = 0
  const send = (c: RedisCommand): Promise<unknown> => {
    signals.push(c.signal)
    abortedWhenSent.push(c.signal.aborted)
    return answer(n++) ? Promise.resolve(null) : new Promise(() => undefined)
  }
  return { send, signals, abortedWhenSent }
}

describe('command deadlines: one timer for all commands in flight', () => {
  it('each unanswered command fails at its own deadline, answered ones resolve, and only the late ones are aborted', async () => {
    const { send, signals, abortedWhenSent } = partialClient((n) => n % 2 === 0)
    const engine = redisEngine({ client: send, prefix: 'deadlines:', commandTimeoutMs: TIMEOUT })
    const first = Array.from({ length: 20 }, () => attempt(() => engine.read(newKey(), now)))
    await sleep(150)
    const second = Array.from({ length: 20 }, () => attempt(() => engine.read(newKey(), now)))
    const outcomes = await Promise.all([...first, ...second])
    outcomes.forEach((outcome, i) => {
      if (i % 2 === 0) expect(outcome.ok).toBe(true)
      else {
        expect(isSessionError(outcome.error, 'ENGINE'), String(outcome.error)).toBe(true)
        expect(outcome.ms).toBeGreaterThanOrEqual(TIMEOUT - 5) // from its own send, not from the first command's
        expect(outcome.ms).toBeLessThan(TIMEOUT + 1_000)
      }
    })
    // Every late command had a signal of its own, and it was aborted; no command was given an aborted one.
    const late = signals.filter((_, i) => i % 2 === 1)
    expect(new Set(late).size).toBe(late.length)
    expect(late.every((signal) => signal.aborted)).toBe(true)
    expect(abortedWhenSent).toEqual(signals.map(() => false))
  })

  it('a signal goes to a later command only after its own command got its reply, never two in flight at once', async () => {
    const inFlight = new Set<AbortSignal>()
    const shared: AbortSignal[] = []
    const engine = redisEngine({
      client: async (c: RedisCommand) => {
        if (inFlight.has(c.signal)) shared.push(c.signal)
        inFlight.add(c.signal)
        await sleep(Math.random() * 5)
        inFlight.delete(c.signal)
        return null
      },
      prefix: 'deadlines:',
      commandTimeoutMs: TIMEOUT,
    })
    const seen = new Set<AbortSignal>()
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 30 }, () => engine.read(newKey(), now)))
    }
    expect(shared).toEqual([])
    // Reused: far fewer signals than the 150 commands.
    const counting = redisEngine({
      client: (c: RedisCommand) => {
        seen.add(c.signal)
        return Promise.resolve(null)
      },
      prefix: 'deadlines:',
      commandTimeoutMs: TIMEOUT,
    })
    for (let i = 0; i < 100; i++) await counting.read(newKey(), now)
    expect(seen.size).toBe(1)
  })

  it('a signal a client keeps a listener on is not reused', async () => {
    const seen: AbortSignal[] = []
    const engine = redisEngine({
      client: (c: RedisCommand) => {
        seen.push(c.signal)
        c.signal.addEventListener('abort', () => undefined) // never removed
        return Promise.resolve(null)
      },
      prefix: 'deadlines:',
      commandTimeoutMs: TIMEOUT,
    })
    for (let i = 0; i < 10; i++) await engine.read(newKey(), now)
    expect(new Set(seen).size).toBe(10)
  })
})
