import { describe, expect, it } from 'vitest'
import type { SessionEngine, SessionRecord } from './engine.js'
import { engineStore } from './engine-store.js'
import { SessionError } from './errors.js'
import type { SessionEvent } from './events.js'
import { generateSessionKey } from './keys.js'
import { createSessions } from './sessions.js'

const now = Date.UTC(2030, 0, 1)
const validPayload = JSON.stringify({ d: { user: 'ada' }, c: now })

/** An engine holding whatever it is given, returned as is: what a corrupt row or a foreign writer looks like to core. */
function rawEngine() {
  const rows = new Map<string, unknown>()
  const destroyed: string[] = []
  const engine: SessionEngine = {
    name: 'raw',
    capabilities: { durable: false, touch: false, purge: false },
    async read(key) {
      return (rows.get(key) as SessionRecord | undefined) ?? null
    },
    async create(key, record) {
      if (rows.has(key)) throw new SessionError('KEY_CONFLICT', 'raw', 'exists')
      rows.set(key, { ...record })
    },
    async update(key, record, ifVersion) {
      const row = rows.get(key) as SessionRecord | undefined
      if (row === undefined) throw new SessionError('NOT_FOUND', 'raw', 'gone')
      if (ifVersion !== undefined && row.version !== ifVersion) throw new SessionError('VERSION_CONFLICT', 'raw', 'changed')
      rows.set(key, { ...record })
    },
    async destroy(key) {
      destroyed.push(key)
      rows.delete(key)
    },
  }
  return { engine, rows, destroyed }
}

function setUp() {
  const raw = rawEngine()
  const events: SessionEvent[] = []
  const sessions = createSessions<{ user?: string }>({
    engine: engineStore(raw.engine, { onEvent: (event) => events.push(event) }),
    now: () => now,
  })
  return { ...raw, events, sessions }
}

const corrupt: Array<[string, unknown]> = [
  ['expiresAt is a string ("garbage")', { payload: validPayload, expiresAt: 'garbage', version: 1 }],
  ['expiresAt is an invalid Date', { payload: validPayload, expiresAt: new Date(Number.NaN), version: 1 }],
  ['expiresAt is a number', { payload: validPayload, expiresAt: now + 60_000, version: 1 }],
  ['expiresAt is missing', { payload: validPayload, version: 1 }],
  ['version is text ("abc")', { payload: validPayload, expiresAt: new Date(now + 60_000), version: 'abc' }],
  ['version is 0', { payload: validPayload, expiresAt: new Date(now + 60_000), version: 0 }],
  ['version is negative', { payload: validPayload, expiresAt: new Date(now + 60_000), version: -3 }],
  ['version is fractional', { payload: validPayload, expiresAt: new Date(now + 60_000), version: 1.5 }],
  ['version is beyond safe integers', { payload: validPayload, expiresAt: new Date(now + 60_000), version: 2 ** 53 }],
  ['version is NaN', { payload: validPayload, expiresAt: new Date(now + 60_000), version: Number.NaN }],
  ['payload is an object', { payload: { d: {} }, expiresAt: new Date(now + 60_000), version: 1 }],
  ['payload is a Buffer-like array', { payload: [1, 2], expiresAt: new Date(now + 60_000), version: 1 }],
  ['the record is a string', 'garbage'],
  ['the record is a number', 42],
]

describe('engineStore validates every record an engine returns (hole 3: corrupt records were trusted)', () => {
  for (const [label, row] of corrupt) {
    it(`${label}: a store.corrupt event, an empty session, a fresh key on the next write, the record removed`, async () => {
      const { rows, destroyed, events, sessions } = setUp()
      const key = generateSessionKey()
      rows.set(key, row)
      const session = sessions.load(`sessionid=${key}`)
      expect(await session.get('user')).toBeUndefined()
      expect(session.key).toBeNull()
      expect(events.filter((e) => e.type === 'store.corrupt')).toHaveLength(1)
      const event = events.find((e) => e.type === 'store.corrupt') as Extract<SessionEvent, { type: 'store.corrupt' }>
      expect(event.store).toBe('raw')
      expect(event.detail).not.toContain(key)
      expect(JSON.stringify(events)).not.toContain(key)
      expect(destroyed).toEqual([key])

      await session.set('user', 'eve')
      const { setCookie } = await sessions.commit(session)
      expect(session.key).not.toBeNull()
      expect(session.key).not.toBe(key)
      expect(setCookie[0]).toContain(`sessionid=${session.key};`)
      expect(rows.has(key)).toBe(false)
      expect((rows.get(session.key!) as SessionRecord).version).toBe(1)
    })
  }

  it('a record with a garbage expiry is never alive, even a hundred years later, and exists() says so', async () => {
    const { rows, sessions } = setUp()
    const key = generateSessionKey()
    rows.set(key, { payload: validPayload, expiresAt: 'garbage', version: 1 })
    expect(await sessions.exists(key)).toBe(false)
    rows.set(key, { payload: validPayload, expiresAt: new Date(Number.NaN), version: 1 })
    expect(await sessions.exists(key)).toBe(false)
  })

  it('a well-typed record passes unchanged, with no event and no removal', async () => {
    const { rows, destroyed, events, sessions } = setUp()
    const key = generateSessionKey()
    rows.set(key, { payload: validPayload, expiresAt: new Date(now + 60_000), version: 7 })
    const session = sessions.load(`sessionid=${key}`)
    expect(await session.get('user')).toBe('ada')
    expect(session.key).toBe(key)
    expect(events).toEqual([])
    expect(destroyed).toEqual([])
    await session.set('user', 'bob')
    await sessions.commit(session)
    expect((rows.get(key) as SessionRecord).version).toBe(8)
  })

  it('a failing removal of the corrupt record is reported as store.degraded, and the visitor still gets an empty session', async () => {
    const { engine, rows } = rawEngine()
    const events: SessionEvent[] = []
    engine.destroy = () => Promise.reject(new Error('disk on fire'))
    const sessions = createSessions({ engine: engineStore(engine, { onEvent: (e) => events.push(e) }), now: () => now })
    const key = generateSessionKey()
    rows.set(key, { payload: validPayload, expiresAt: new Date(now + 60_000), version: 'abc' })
    const session = sessions.load(`sessionid=${key}`)
    expect(await session.get('user')).toBeUndefined()
    expect(events.map((e) => e.type)).toEqual(['store.corrupt', 'store.degraded'])
  })

  it('a throwing listener does not break the request', async () => {
    const { engine, rows } = rawEngine()
    const sessions = createSessions({
      engine: engineStore(engine, {
        onEvent: () => {
          throw new Error('listener bug')
        },
      }),
      now: () => now,
    })
    const key = generateSessionKey()
    rows.set(key, { payload: validPayload, expiresAt: 'garbage', version: 1 })
    expect(await sessions.load(`sessionid=${key}`).get('user')).toBeUndefined()
  })
})
