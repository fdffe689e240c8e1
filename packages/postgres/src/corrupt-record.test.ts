import { createHash } from 'node:crypto'
import { createSessions, type SessionEvent } from '@sess/core'
import { engineStore } from '@sess/core/engine'
import { describe, expect, it } from 'vitest'
import { postgresEngine } from './postgres-engine.js'
import { freshTable, testPool } from './test-support.js'

const pool = testPool()
const table = freshTable('corrupt')
const sha256 = (key: string) => createHash('sha256').update(key).digest('hex')

async function savedSession() {
  const engine = postgresEngine({ pool, table })
  const events: SessionEvent[] = []
  const sessions = createSessions<{ user?: string }>({ engine: engineStore(engine, { onEvent: (event) => events.push(event) }) })
  const session = sessions.load(undefined)
  await session.set('user', 'ada')
  await sessions.commit(session)
  const key = session.key!
  const corrupt = async (assignment: string) =>
    (await pool.query(`UPDATE ${table} SET ${assignment} WHERE key_hash = $1`, [sha256(key)])).rowCount
  const present = async () => (await pool.query(`SELECT 1 FROM ${table} WHERE key_hash = $1`, [sha256(key)])).rowCount
  return { engine, events, sessions, key, corrupt, present }
}

describe('postgres: corrupt rows are never live sessions (hole 3)', () => {
  it.each([
    ["expires_at = 'infinity'", "expires_at = 'infinity'"],
    ['version = 0', 'version = 0'],
    ['version = -7', 'version = -7'],
  ])('%s: store.corrupt, an empty session, a fresh key on the next save, the row removed', async (_, assignment) => {
    const { events, sessions, key, corrupt, present } = await savedSession()
    expect(await corrupt(assignment)).toBe(1)
    const session = sessions.load(`sessionid=${key}`)
    expect(await session.get('user')).toBeUndefined()
    expect(session.key).toBeNull()
    expect(events.map((e) => e.type)).toEqual(['store.corrupt'])
    expect(JSON.stringify(events)).not.toContain(key)
    expect(await present()).toBe(0)
    await session.set('user', 'eve')
    await sessions.commit(session)
    expect(session.key).not.toBe(key)
    expect(await sessions.load(`sessionid=${session.key}`).get('user')).toBe('eve')
  })

  it("a row with expires_at = 'infinity' is not immortal: purgeExpired removes it without a read", async () => {
    const { engine, corrupt, present } = await savedSession()
    await corrupt("expires_at = 'infinity'")
    expect(await engine.purgeExpired!(new Date())).toBe(1)
    expect(await present()).toBe(0)
  })
})
