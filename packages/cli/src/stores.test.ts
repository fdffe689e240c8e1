import { describe, expect, it } from 'vitest'
import { appDir, lines, sess, writeFile } from './test-bin.js'

const SECRET = 'a-secret-of-at-least-thirty-two-characters'

/** An app directory whose sess.config.ts is `source`. */
function app(source: string): string {
  const dir = appDir()
  writeFile(dir, 'sess.config.ts', `${source}\n`)
  return dir
}

function expectRefused(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp, code = 2) {
  expect(result.code, result.stderr).toBe(code)
  expect(result.stdout).toBe('')
  expect(lines(result.stderr)).toHaveLength(1)
  expect(result.stderr).toMatch(pattern)
  expect(result.stderr).not.toMatch(/^\s+at /m)
}

const EVERY_COMMAND = [['clear-expired'], ['list', '--user', 'ada'], ['destroy', '--user', 'ada'], ['stats'], ['stats', '--json']]

describe('sess: stores the command cannot serve', () => {
  it.each(EVERY_COMMAND)('the memory engine is refused, never counted as 0: %s', async (...args) => {
    const dir = app(
      "import { createSessions } from '@sess/core'\nimport { memoryEngine } from '@sess/memory'\nexport const sessions = createSessions({ engine: memoryEngine() })",
    )
    expectRefused(
      await sess(args, dir),
      /^sess: the memory engine keeps sessions inside the app's process: this command \(another process\) cannot reach them/,
    )
  })

  describe('signed cookies (no server state)', () => {
    const signed = () =>
      app(
        `import { createSessions } from '@sess/core'\nimport { signedCookie } from '@sess/signed-cookie'\nexport const sessions = createSessions({ engine: signedCookie({ secrets: [{ id: "1", password: ${JSON.stringify(SECRET)} }] }) })`,
      )

    it('clear-expired: nothing to clear, exit 0 (each cookie carries its own expiry)', async () => {
      const dir = signed()
      expect(await sess(['clear-expired'], dir)).toMatchObject({
        code: 0,
        stderr: '',
        stdout:
          "nothing to clear: signed-cookie sessions live in the visitors' cookies and each one carries its own expiry: there is nothing to clear on the server\n",
      })
      const json = await sess(['clear-expired', '--json'], dir)
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual({ store: 'signed-cookie', removed: null, note: expect.stringContaining("visitors' cookies") })
    })

    it.each([
      [['list', '--user', 'ada'], /^sess: list: signed-cookie sessions live in the visitors' cookies, not on a server.*isRevoked/],
      [
        ['destroy', '--user', 'ada'],
        /^sess: destroy: signed-cookie sessions live in the visitors' cookies, not on a server.*per-user 'valid after' time/,
      ],
      [['stats'], /^sess: stats: signed-cookie sessions live in the visitors' cookies, not on a server: there is nothing to count here$/m],
    ])('%j is refused with the reason, exit 2', async (args, pattern) => {
      expectRefused(await sess(args, signed()), pattern)
    })
  })

  describe('an engine that declares neither the user index nor purge (a third-party engine)', () => {
    // A real SQLite file behind the minimal engine contract: read, create, update, destroy.
    const legacy = () =>
      app(
        [
          "import { createSessions } from '@sess/core'",
          "import type { SessionEngine } from '@sess/core/engine'",
          "import { sqliteEngine } from '@sess/sqlite'",
          "const base = sqliteEngine({ path: 'legacy.db' })",
          'const engine: SessionEngine = {',
          "  name: 'legacy',",
          '  capabilities: { durable: true, touch: false, purge: false },',
          '  read: (key, now) => base.read(key, now),',
          '  create: (key, record) => base.create(key, record),',
          '  update: (key, record, ifVersion) => base.update(key, record, ifVersion),',
          '  destroy: (key) => base.destroy(key),',
          '  dispose: () => base.dispose(),',
          '}',
          'export const sessions = createSessions({ engine })',
        ].join('\n'),
      )

    it('clear-expired: nothing to clear, exit 0 (the contract: its storage expires records itself)', async () => {
      expect(await sess(['clear-expired'], legacy())).toMatchObject({
        code: 0,
        stderr: '',
        stdout: "nothing to clear: the legacy engine's storage removes expired sessions by itself\n",
      })
    })

    it.each([
      [['list', '--user', 'ada'], /^sess: list: the legacy engine keeps no user index \(capabilities\.userIndex\)/],
      [['destroy', '--user', 'ada', '--handle', 'AAAAAAAAAAAAAAAA'], /^sess: destroy: the legacy engine keeps no user index/],
      [['stats'], /^sess: .*legacy/],
    ])('%j is refused with the reason, exit 2', async (args, pattern) => {
      expectRefused(await sess(args, legacy()), pattern)
    })
  })

  it.each([['clear-expired'], ['stats']])(
    'a store that fails (PostgreSQL at a port nobody listens on): %s → one line, exit 1',
    async (command) => {
      const dir = app(
        "import { createSessions } from '@sess/core'\nimport { postgresEngine } from '@sess/postgres'\nexport const sessions = createSessions({ engine: postgresEngine({ connectionString: 'postgres://postgres@127.0.0.1:1/test' }) })",
      )
      expectRefused(await sess([command], dir), /^sess: \[@sess\/postgres\] .*(ECONNREFUSED|connect)/, 1)
    },
  )
})
