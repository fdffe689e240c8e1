import { isSessionError, sessionHandle, type SessionEngine } from '@sess/core/engine'
import fc from 'fast-check'
import { describe, expect, it, onTestFinished } from 'vitest'
import { expectSessionError } from './expect-error.js'
import { hostileKeys, newKey, newUserId, payloadFixtures, record, userRecord } from './fixtures.js'
import { describeEngineStats } from './stats-suite.js'
import { describeUserIndex } from './user-index-suite.js'

export { expectSessionError }

/** Options of {@link describeEngine}. */
export interface EngineSuiteOptions {
  /** A fresh engine for one test. Storage may be shared between tests (keys are unique per test). */
  create: () => SessionEngine | Promise<SessionEngine>
  /**
   * A second engine over the same storage as `engine`: required when the engine declares `durable`, and
   * proves the data outlives the instance. Optional capabilities (`touch`, `purge`, `durable`) are tested
   * when declared; when not, the suite checks that the method is really absent — there are no skips.
   */
  reopen?: (engine: SessionEngine) => SessionEngine | Promise<SessionEngine>
  /** Engine-specific cases, registered inside the suite. */
  extra?: (helpers: { engine: () => Promise<SessionEngine> }) => void
}

/**
 * The engine conformance suite: everything the engine contract promises, asserted once for every engine.
 * Each test gets a fresh engine, disposed when it finishes.
 */
export function describeEngine(name: string, options: EngineSuiteOptions): void {
  const engine = async (): Promise<SessionEngine> => {
    const e = await options.create()
    onTestFinished(async () => {
      await e.dispose?.()
    })
    return e
  }
  /** A fresh engine when it declares `capability`; otherwise checks the capability is truly absent and returns null. */
  const engineWith = async (capability: 'touch' | 'purge'): Promise<SessionEngine | null> => {
    const e = await engine()
    if (e.capabilities[capability]) return e
    expect(capability === 'touch' ? e.touch : e.purgeExpired).toBeUndefined()
    return null
  }
  const now = new Date(Date.UTC(2030, 0, 1))
  const later = new Date(Date.UTC(2030, 0, 2))

  describe(`engine conformance: ${name}`, () => {
    it('has a name and declares its capabilities', async () => {
      const e = await engine()
      expect(typeof e.name).toBe('string')
      expect(e.name.length).toBeGreaterThan(0)
      expect(typeof e.capabilities.durable).toBe('boolean')
      expect(e.capabilities.touch).toBe(typeof e.touch === 'function')
      expect(e.capabilities.purge).toBe(typeof e.purgeExpired === 'function')
    })

    it('reads an unknown key as null', async () => {
      const e = await engine()
      expect(await e.read(newKey(), now)).toBeNull()
    })

    for (const [fixture, payload] of Object.entries(payloadFixtures)) {
      it(`round-trips a record byte for byte (${fixture})`, async () => {
        const e = await engine()
        const key = newKey()
        const expiresAt = new Date(later.getTime() + 123)
        await e.create(key, { payload, expiresAt, version: 1 })
        const back = await e.read(key, now)
        expect(back).not.toBeNull()
        expect(back!.payload).toBe(payload)
        expect(back!.expiresAt.getTime()).toBe(expiresAt.getTime())
        expect(back!.version).toBe(1)
      })
    }

    it('refuses to create over an existing key with KEY_CONFLICT and leaves the original untouched', async () => {
      const e = await engine()
      const key = newKey()
      await e.create(key, record('{"original":true}', later))
      await expectSessionError(e.create(key, record('{"intruder":true}', later)), 'KEY_CONFLICT')
      expect((await e.read(key, now))!.payload).toBe('{"original":true}')
    })

    it('updates the payload, expiry and version', async () => {
      const e = await engine()
      const key = newKey()
      await e.create(key, record('{"v":1}', later, 1))
      const newExpiry = new Date(later.getTime() + 60_000)
      await e.update(key, record('{"v":2}', newExpiry, 2), 1)
      const back = await e.read(key, now)
      expect(back).toEqual({ payload: '{"v":2}', expiresAt: newExpiry, version: 2 })
    })

    it('updates without ifVersion regardless of the stored version', async () => {
      const e = await engine()
      const key = newKey()
      await e.create(key, record('{"v":1}', later, 7))
      await e.update(key, record('{"v":2}', later, 8))
      expect((await e.read(key, now))!.version).toBe(8)
    })

    it('refuses to update a missing key with NOT_FOUND (never resurrects)', async () => {
      const e = await engine()
      await expectSessionError(e.update(newKey(), record(), 1), 'NOT_FOUND')
      const key = newKey()
      await e.create(key, record())
      await e.destroy(key)
      await expectSessionError(e.update(key, record('{"resurrected":true}', later, 2), 1), 'NOT_FOUND')
      expect(await e.read(key, now)).toBeNull()
    })

    it('refuses a stale ifVersion with VERSION_CONFLICT and keeps the stored record', async () => {
      const e = await engine()
      const key = newKey()
      await e.create(key, record('{"v":1}', later, 1))
      await e.update(key, record('{"v":2}', later, 2), 1)
      await expectSessionError(e.update(key, record('{"stale":true}', later, 2), 1), 'VERSION_CONFLICT')
      expect(await e.read(key, now)).toEqual({ payload: '{"v":2}', expiresAt: later, version: 2 })
    })

    it('destroys idempotently', async () => {
      const e = await engine()
      const key = newKey()
      await e.create(key, record())
      await e.destroy(key)
      expect(await e.read(key, now)).toBeNull()
      await e.destroy(key)
      await e.destroy(newKey())
    })

    it('treats expiresAt as the exact boundary: a hit 1 ms before, a miss at and after', async () => {
      const e = await engine()
      const key = newKey()
      const expiresAt = new Date(Date.UTC(2030, 0, 1, 12))
      await e.create(key, record('{}', expiresAt))
      expect(await e.read(key, new Date(expiresAt.getTime() - 1))).not.toBeNull()
      expect(await e.read(key, expiresAt)).toBeNull()
      expect(await e.read(key, new Date(expiresAt.getTime() + 1000))).toBeNull()
    })

    it('returns copies: changing a returned or passed record does not change the stored one', async () => {
      const e = await engine()
      const key = newKey()
      const original = record('{"a":1}', later, 1)
      await e.create(key, original)
      original.payload = '{"mutated":true}'
      original.expiresAt.setTime(0)
      original.version = 99
      const first = (await e.read(key, now))!
      first.payload = 'changed'
      first.expiresAt.setTime(0)
      first.version = 42
      expect(await e.read(key, now)).toEqual({ payload: '{"a":1}', expiresAt: later, version: 1 })
    })

    it('creates 50 sessions concurrently', async () => {
      const e = await engine()
      const keys = Array.from({ length: 50 }, () => newKey())
      await Promise.all(keys.map((key, i) => e.create(key, record(`{"i":${i}}`, later))))
      const back = await Promise.all(keys.map((key) => e.read(key, now)))
      expect(back.map((r) => r?.payload)).toEqual(keys.map((_, i) => `{"i":${i}}`))
    })

    it('lets exactly one of 20 concurrent updates from the same version win, whole', async () => {
      const e = await engine()
      const key = newKey()
      await e.create(key, record('{"v":0}', later, 1))
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => e.update(key, record(JSON.stringify({ writer: i, pad: 'p'.repeat(1000 + i) }), later, 2), 1)),
      )
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []))
      expect(won).toHaveLength(1)
      for (const r of results) if (r.status === 'rejected') expect(isSessionError(r.reason, 'VERSION_CONFLICT')).toBe(true)
      const stored = (await e.read(key, now))!
      expect(JSON.parse(stored.payload)).toEqual({ writer: won[0], pad: 'p'.repeat(1000 + won[0]!) })
      expect(stored.version).toBe(2)
    })

    describe('touch', () => {
      it('moves the expiry and keeps the payload and version', async () => {
        const e = await engineWith('touch')
        if (!e) return
        const key = newKey()
        const soon = new Date(Date.UTC(2030, 0, 1, 1))
        await e.create(key, record('{"kept":true}', soon, 3))
        const further = new Date(Date.UTC(2030, 0, 5))
        await e.touch!(key, further)
        const back = await e.read(key, new Date(soon.getTime() + 1000))
        expect(back).toEqual({ payload: '{"kept":true}', expiresAt: further, version: 3 })
      })

      it('does not create a missing session', async () => {
        const e = await engineWith('touch')
        if (!e) return
        const key = newKey()
        await e.touch!(key, later)
        expect(await e.read(key, now)).toBeNull()
      })
    })

    describe('purgeExpired', () => {
      it('removes only expired records and counts them', async () => {
        const e = await engineWith('purge')
        if (!e) return
        const t = new Date(Date.UTC(2030, 0, 1, 6))
        const expired = [newKey(), newKey(), newKey()]
        const live = [newKey(), newKey()]
        for (const key of expired) await e.create(key, record('{}', t))
        for (const key of live) await e.create(key, record('{}', new Date(t.getTime() + 1)))
        const removed = await e.purgeExpired!(t)
        expect(removed).toBeGreaterThanOrEqual(3)
        const after = new Date(t.getTime() - 1000)
        for (const key of expired) expect(await e.read(key, after)).toBeNull()
        for (const key of live) expect(await e.read(key, after)).not.toBeNull()
        expect(await e.purgeExpired!(t)).toBe(0)
      })
    })

    describe('hostile keys', () => {
      it('reads hostile keys as a miss or refuses them with a SessionError, never anything else', async () => {
        const e = await engine()
        for (const key of hostileKeys) {
          const outcome = await e.read(key, now).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          )
          if ('error' in outcome) expect(isSessionError(outcome.error), `read(${JSON.stringify(key.slice(0, 20))})`).toBe(true)
          else expect(outcome.value, `read(${JSON.stringify(key.slice(0, 20))})`).toBeNull()
        }
      })

      it('reads arbitrary keys (fast-check) as a miss or refuses them with a SessionError', async () => {
        const e = await engine()
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 40 })),
            async (key) => {
              const outcome = await e.read(key, now).then(
                (value) => ({ value }),
                (error: unknown) => ({ error }),
              )
              if ('error' in outcome) expect(isSessionError(outcome.error)).toBe(true)
              else expect(outcome.value).toBeNull()
            },
          ),
          { numRuns: 60 },
        )
      })

      it('stores prototype-named keys as plain keys or refuses them, without touching other sessions', async () => {
        const e = await engine()
        const bystander = newKey()
        await e.create(bystander, record('{"bystander":true}', later))
        for (const key of ['__proto__', 'constructor', 'toString']) {
          const created = await e.create(key, record(`{"k":${JSON.stringify(key)}}`, later)).then(
            () => true,
            (error: unknown) => {
              expect(isSessionError(error)).toBe(true)
              return false
            },
          )
          if (created) {
            expect((await e.read(key, now))?.payload).toBe(`{"k":${JSON.stringify(key)}}`)
            await e.destroy(key)
          }
        }
        expect((await e.read(bystander, now))?.payload).toBe('{"bystander":true}')
      })
    })

    it('disposes idempotently', async () => {
      const e = await options.create()
      await e.dispose?.()
      await e.dispose?.()
    })

    describe('durability', () => {
      it('a durable engine: a second instance over the same storage sees the data', async () => {
        const e = await engine()
        if (!e.capabilities.durable) return
        if (!options.reopen) throw new Error(`describeEngine(${name}): a durable engine needs reopen()`)
        const key = newKey()
        await e.create(key, record('{"durable":true}', later))
        const again = await options.reopen(e)
        onTestFinished(async () => {
          if (again !== e) await again.dispose?.()
        })
        expect((await again.read(key, now))?.payload).toBe('{"durable":true}')
      })

      it('a durable engine with the user index: a second instance lists the user, and sees destroyUser at once', async () => {
        const e = await engine()
        if (!e.capabilities.durable || e.capabilities.userIndex !== true) return
        if (!options.reopen) throw new Error(`describeEngine(${name}): a durable engine needs reopen()`)
        const ada = newUserId()
        const keys = [newKey(), newKey()]
        for (const key of keys) await e.create(key, userRecord(key, ada, '{}', later))
        const again = await options.reopen(e)
        onTestFinished(async () => {
          if (again !== e) await again.dispose?.()
        })
        expect((await again.listUser!(ada, now)).map((r) => r.handle).sort()).toEqual(keys.map(sessionHandle).sort())
        expect(await e.destroyUser!(ada)).toBe(2)
        for (const key of keys) expect(await again.read(key, now)).toBeNull()
        expect(await again.listUser!(ada, now)).toEqual([])
      })
    })

    describeUserIndex(engine)
    describeEngineStats(engine)

    options.extra?.({ engine })
  })
}
