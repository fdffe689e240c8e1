import { createSessions, type SessionEvent } from '@sess/core'
import { CookieJar } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import { postgresEngine } from './index.js'
import { freshTable, testPool } from './test-support.js'

const pool = testPool()

describe('A10: corrupt rows in PostgreSQL', () => {
  for (const [label, payload] of [
    ['not JSON', '{not json'],
    ['a JSON array', '[1,2,3]'],
    ['JSON without the session fields', '{"x":1}'],
    ['an empty string', ''],
  ] as const) {
    it(`a row whose payload is ${label} reads as an empty session with a session.corrupt event, never an error`, async () => {
      const table = freshTable('corrupt')
      const events: SessionEvent[] = []
      const sessions = createSessions<Record<string, unknown>>({ engine: postgresEngine({ pool, table }), onEvent: (e) => events.push(e) })
      const jar = new CookieJar()
      const first = sessions.load(undefined)
      await first.set('user', 'ada')
      jar.apply((await sessions.commit(first)).setCookie)
      expect((await pool.query(`UPDATE ${table} SET payload = $1`, [payload])).rowCount).toBe(1)
      const again = sessions.load(jar.header())
      expect(await again.get('user')).toBeUndefined()
      expect(events.map((e) => e.type)).toContain('session.corrupt')
      expect(JSON.stringify(events)).not.toContain(jar.get('sessionid')!)
      await again.set('count', 1)
      jar.apply((await sessions.commit(again)).setCookie)
      expect(await sessions.load(jar.header()).entries()).toEqual([['count', 1]])
    })
  }
})
