import { join } from 'node:path'
import { createSessions, type SessionEvent } from '@sess/core'
import { engineStore } from '@sess/core/engine'
import { ManualClock } from '@sess/engine-tests'
import { describe, expect, it, onTestFinished } from 'vitest'
import { DEFAULT_TABLE, sqliteEngine } from './index.js'
import { sha256, tempDir } from './test-support.js'

const dir = tempDir('sess-sqlite-corrupt-')
let count = 0

/** An engine on a fresh file, the sessions over it (reporting events), and a saved session to corrupt. */
async function savedSession() {
  const engine = sqliteEngine({ path: join(dir, `c${++count}.sqlite3`) })
  onTestFinished(() => engine.dispose())
  const clock = new ManualClock()
  const events: SessionEvent[] = []
  const sessions = createSessions<{ user?: string }>({
    engine: engineStore(engine, { onEvent: (event) => events.push(event) }),
    now: clock.now,
    maxAge: 3600,
  })
  const session = sessions.load(undefined)
  await session.set('user', 'ada')
  await sessions.commit(session)
  const key = session.key!
  const corrupt = (assignment: string) =>
    engine.database.prepare(`UPDATE ${DEFAULT_TABLE} SET ${assignment} WHERE key_hash = ?`).run(sha256(key))
  const rows = () => engine.database.prepare(`SELECT count(*) FROM ${DEFAULT_TABLE}`).pluck().get()
  return { engine, clock, events, sessions, key, corrupt, rows }
}

describe('sqlite: corrupt rows are never live sessions (hole 3)', () => {
  it.each([
    ["expires_at = 'garbage'", "expires_at = 'garbage'"],
    ["version = 'abc' (text)", "version = 'abc'"],
    ['version = 0', 'version = 0'],
    ['version = 1.5', 'version = 1.5'],
    ['payload a blob', "payload = X'00ff'"],
    ['expires_at beyond the last Date', 'expires_at = 9e15'],
  ])('%s: store.corrupt, an empty session, a fresh key on the next save, the row removed', async (_, assignment) => {
    const { events, sessions, key, corrupt, rows } = await savedSession()
    expect(corrupt(assignment).changes).toBe(1)
    const session = sessions.load(`sessionid=${key}`)
    expect(await session.get('user')).toBeUndefined()
    expect(session.key).toBeNull()
    expect(events.map((e) => e.type)).toEqual(['store.corrupt'])
    expect(JSON.stringify(events)).not.toContain(key)
    expect(rows()).toBe(0)
    await session.set('user', 'eve')
    const { setCookie } = await sessions.commit(session)
    expect(session.key).not.toBe(key)
    expect(setCookie[0]).toContain(`sessionid=${session.key};`)
    // The old cookie names nothing, and a text version did not spread into the new record.
    expect(await sessions.exists(key)).toBe(false)
    expect(await sessions.load(`sessionid=${session.key}`).get('user')).toBe('eve')
  })

  it("a row with expires_at = 'garbage' is not immortal: purgeExpired removes it without a read", async () => {
    const { clock, sessions, corrupt, rows } = await savedSession()
    corrupt("expires_at = 'garbage'")
    clock.advance(100 * 365 * 86_400)
    expect(await sessions.purgeExpired()).toBe(1)
    expect(rows()).toBe(0)
  })

  it('purgeExpired removes corrupt expiries (text, blob, beyond the last Date) and leaves live rows', async () => {
    const first = await savedSession()
    for (const assignment of ["expires_at = 'x'", "expires_at = X'01'", 'expires_at = 9e15']) {
      const { engine, sessions, key } = await savedSession()
      engine.database.prepare(`UPDATE ${DEFAULT_TABLE} SET ${assignment} WHERE key_hash = ?`).run(sha256(key))
      expect(await engine.purgeExpired(new Date(Date.UTC(2030, 0, 1)))).toBe(1)
      expect(await sessions.exists(key)).toBe(false)
    }
    expect(await first.engine.purgeExpired(new Date())).toBe(0)
    expect(await first.sessions.exists(first.key)).toBe(true)
  })
})
