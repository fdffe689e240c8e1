import { join } from 'node:path'
import { createSessions } from '@sess/core'
import { cachedDbEngine } from '@sess/cached-db'
import { memoryEngine } from '@sess/memory'
import { sqliteEngine } from '@sess/sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { appDir, lines, sess, writeFile } from './test-bin.js'

describe('sess against cached-db (a per-process memory cache over SQLite)', () => {
  const dir = appDir()
  writeFile(
    dir,
    'sess.config.ts',
    [
      "import { createSessions } from '@sess/core'",
      "import { cachedDbEngine } from '@sess/cached-db'",
      "import { memoryEngine } from '@sess/memory'",
      "import { sqliteEngine } from '@sess/sqlite'",
      "export const sessions = createSessions({ engine: cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path: 'sessions.db' }) }) })",
      '',
    ].join('\n'),
  )
  // The running app: its own memory cache in front of the same file.
  const app = createSessions({ engine: cachedDbEngine({ cache: memoryEngine(), db: sqliteEngine({ path: join(dir, 'sessions.db') }) }) })
  // A process started after the destroy (a restarted app, another instance): nothing cached.
  const fresh = () => createSessions({ engine: sqliteEngine({ path: join(dir, 'sessions.db') }) })
  afterAll(() => app.dispose())

  it('destroy removes the sessions from the db and says on stderr that per-process caches keep their copies', async () => {
    const cookies: string[] = []
    for (let i = 0; i < 2; i++) {
      const session = app.load(null)
      await session.setUser('ada', { device: String(i) })
      cookies.push((await app.commit(session, { status: 200 })).setCookie[0]!.split(';')[0]!)
    }
    expect(JSON.parse((await sess(['list', '--user', 'ada', '--json'], dir)).stdout).sessions).toHaveLength(2)

    const result = await sess(['destroy', '--user', 'ada'], dir)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('destroyed 2 sessions of user ada\n')
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^sess: note: cached-db: if its cache is per-process \(memoryEngine\), the running app processes keep serving/),
    ])

    const restarted = fresh()
    for (const cookie of cookies) expect(await restarted.load(cookie).getUser()).toBe(null)
    await restarted.dispose()
    // What the note warns of: the app process still reads its cached copy (no cross-process invalidation).
    expect((await app.load(cookies[0]!).getUser())?.id).toBe('ada')
  })
})
