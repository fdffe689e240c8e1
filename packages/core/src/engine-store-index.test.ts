import { describe, expect, it } from 'vitest'
import type { EngineStats, SessionEngine, SessionRecord } from './engine.js'
import { engineStore } from './engine-store.js'
import { isSessionError } from './errors.js'
import type { SessionEvent } from './events.js'
import { sessionHandle } from './handle.js'
import { generateSessionKey } from './keys.js'

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

/** An engine whose listing, destroyUser and stats answer whatever the test sets. */
function indexedEngine(overrides: { [K in keyof SessionEngine]?: SessionEngine[K] | undefined } = {}) {
  const calls: unknown[][] = []
  let listing: unknown = []
  const engine: SessionEngine = {
    name: 'indexed',
    capabilities: { durable: true, touch: false, purge: false, userIndex: true },
    read: async () => null,
    create: async () => undefined,
    update: async () => undefined,
    destroy: async () => undefined,
    listUser: async (...args) => {
      calls.push(['listUser', ...args])
      return listing as SessionRecord[]
    },
    destroyUser: async (...args) => {
      calls.push(['destroyUser', ...args])
      return 3
    },
    stats: async (at): Promise<EngineStats> => {
      calls.push(['stats', at])
      return { sessions: 2, earliestExpiry: later, latestExpiry: later, bytes: 10, signedIn: 1 }
    },
    ...overrides,
  } as SessionEngine
  const events: SessionEvent[] = []
  const store = engineStore(engine, { onEvent: (e) => events.push(e) })
  return { engine, store, calls, events, setListing: (value: unknown) => (listing = value) }
}

const listed = (userId: string, key = generateSessionKey(), expiresAt = later): SessionRecord => ({
  payload: '{"d":{},"c":1}',
  expiresAt,
  version: 1,
  userId,
  handle: sessionHandle(key),
})

describe('engineStore forwards the user index, stats and durability', () => {
  it('forwards listUser, destroyUser and stats with their arguments, and declares userIndex and durable', async () => {
    const { store, calls, setListing } = indexedEngine()
    const record = listed('ada')
    setListing([record])
    expect(store.userIndex).toBe(true)
    expect(store.durable).toBe(true)
    expect(await store.listUser!('ada', now)).toEqual([record])
    expect(await store.destroyUser!('ada', { exceptHandle: record.handle! })).toBe(3)
    expect((await store.stats!(now)).sessions).toBe(2)
    expect(calls).toEqual([
      ['listUser', 'ada', now],
      ['destroyUser', 'ada', { exceptHandle: record.handle }],
      ['stats', now],
    ])
  })

  it('has no listUser/destroyUser (userIndex false) when the engine does not declare the capability or lacks a method', () => {
    const undeclared = indexedEngine({ capabilities: { durable: false, touch: false, purge: false } }).store
    expect(undeclared.userIndex).toBe(false)
    expect(undeclared.listUser).toBeUndefined()
    expect(undeclared.destroyUser).toBeUndefined()
    expect(undeclared.durable).toBe(false)
    const half = indexedEngine({ destroyUser: undefined }).store
    expect(half.userIndex).toBe(false)
    expect(half.listUser).toBeUndefined()
  })

  it('has no stats when the engine has none', () => {
    expect(indexedEngine({ stats: undefined }).store.stats).toBeUndefined()
  })

  for (const [method, run] of [
    ['listUser', (s: ReturnType<typeof engineStore>) => s.listUser!('ada', now)],
    ['destroyUser', (s: ReturnType<typeof engineStore>) => s.destroyUser!('ada')],
    ['stats', (s: ReturnType<typeof engineStore>) => s.stats!(now)],
  ] as const) {
    it(`${method}: a rejection and a synchronous throw both become SessionError('ENGINE') with the cause`, async () => {
      const cause = new Error('connection refused')
      for (const fail of [
        async () => Promise.reject(cause),
        () => {
          throw cause
        },
      ]) {
        const { store } = indexedEngine({ [method]: fail })
        const error = await run(store).then(
          () => null,
          (e: unknown) => e,
        )
        expect(isSessionError(error, 'ENGINE')).toBe(true)
        expect((error as Error).cause).toBe(cause)
        expect((error as Error).message).toContain(method)
      }
    })
  }

  it('skips corrupt, foreign and expired records of a listing, reporting the corrupt ones without their values', async () => {
    const { store, events, setListing } = indexedEngine()
    const good = listed('ada')
    const secretKey = generateSessionKey()
    setListing([
      good,
      { ...listed('ada', secretKey), expiresAt: 'garbage' },
      { ...listed('ada'), version: 0 },
      { ...listed('ada'), handle: undefined },
      { ...listed('ada'), handle: secretKey }, // a raw key is not a handle
      listed('bob'),
      { ...listed('ada'), userId: undefined },
      listed('ada', generateSessionKey(), now), // expired at `now`
      'garbage',
      null,
    ])
    expect(await store.listUser!('ada', now)).toEqual([good])
    const corrupt = events.filter((e) => e.type === 'store.corrupt')
    expect(corrupt).toHaveLength(8)
    expect(JSON.stringify(events)).not.toContain(secretKey)
    expect(JSON.stringify(events)).not.toContain('bob')
  })

  it('reads a listing that is not an array as empty and reports it', async () => {
    const { store, events, setListing } = indexedEngine()
    setListing({ length: 1 })
    expect(await store.listUser!('ada', now)).toEqual([])
    expect(events.map((e) => e.type)).toEqual(['store.corrupt'])
  })
})
