import { join } from 'node:path'
import { createSessions, type SessionEvent } from '@sess/core'
import { CookieJar } from '@sess/engine-tests'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { DEFAULT_TABLE, sqliteEngine } from './index.js'
import { tempDir } from './test-support.js'

const dir = tempDir()
let files = 0

describe('A10: corrupt rows in SQLite', () => {
  for (const [label, payload] of [
    ['not JSON', '{not json'],
    ['a JSON array', '[1,2,3]'],
    ['JSON without the session fields', '{"x":1}'],
    ['an empty string', ''],
  ] as const) {
    it(`a row whose payload is ${label} reads as an empty session with a session.corrupt event, never an error`, async () => {
      const path = join(dir, `corrupt${++files}.sqlite3`)
      const events: SessionEvent[] = []
      const sessions = createSessions<Record<string, unknown>>({ engine: sqliteEngine({ path }), onEvent: (e) => events.push(e) })
      try {
        const jar = new CookieJar()
        const first = sessions.load(undefined)
        await first.set('user', 'ada')
        jar.apply((await sessions.commit(first)).setCookie)
        const db = new Database(path)
        try {
          expect(db.prepare(`UPDATE ${DEFAULT_TABLE} SET payload = ?`).run(payload).changes).toBe(1)
        } finally {
          db.close()
        }
        const again = sessions.load(jar.header())
        expect(await again.get('user')).toBeUndefined()
        expect(events.map((e) => e.type)).toContain('session.corrupt')
        expect(JSON.stringify(events)).not.toContain(jar.get('sessionid')!)
        await again.set('count', 1)
        jar.apply((await sessions.commit(again)).setCookie)
        expect(await sessions.load(jar.header()).entries()).toEqual([['count', 1]])
      } finally {
        await sessions.dispose()
      }
    })
  }
})
