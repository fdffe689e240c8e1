import { createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { createSessions } from '@sess/core'
import { sqliteEngine } from '@sess/sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDir, lines, sess, writeFile } from './test-bin.js'

const ESM_IMPORTS = "import { createSessions } from '@sess/core'\nimport { sqliteEngine } from '@sess/sqlite'\n"
const CJS_IMPORTS = "const { createSessions } = require('@sess/core')\nconst { sqliteEngine } = require('@sess/sqlite')\n"

/** Saves `expired` sessions that expired a minute ago and one live one into the SQLite file, through the public API. */
async function seed(path: string, expired: number): Promise<string> {
  const past = Date.now() - 10 * 60_000
  const old = createSessions({ engine: sqliteEngine({ path }), now: () => past, maxAge: 60 })
  for (let i = 0; i < expired; i++) {
    const s = old.load(null)
    await s.set('n', i)
    await old.commit(s)
  }
  await old.dispose()
  const live = createSessions({ engine: sqliteEngine({ path }) })
  const s = live.load(null)
  await s.set('live', true)
  const { setCookie } = await live.commit(s)
  await live.dispose()
  return setCookie[0]!.split(';')[0]!
}

/** Whether the session behind `cookie` is still there. */
async function alive(path: string, cookie: string): Promise<boolean> {
  const sessions = createSessions({ engine: sqliteEngine({ path }) })
  try {
    return (await sessions.load(cookie).get('live')) === true
  } finally {
    await sessions.dispose()
  }
}

/** What every failure looks like: exit code 2 (unless told), nothing on stdout, one line on stderr, no stack trace. */
function expectOneLine(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp, code = 2) {
  expect(result.code, result.stderr).toBe(code)
  expect(result.stdout).toBe('')
  expect(lines(result.stderr)).toHaveLength(1)
  expect(result.stderr).toMatch(pattern)
  expect(result.stderr).not.toMatch(/^\s+at /m)
}

describe('sess: the config module', () => {
  it.each([
    [
      'sess.config.ts',
      `${ESM_IMPORTS}const path: string = 'sessions.db'\nexport const sessions = createSessions<{ n?: number }>({ engine: sqliteEngine({ path }) })`,
    ],
    [
      'sess.config.mts',
      `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' satisfies string }) })`,
    ],
    ['sess.config.js', `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })`],
    [
      'sess.config.mjs',
      `${ESM_IMPORTS}const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })\nexport default sessions`,
    ],
    ['sess.config.cjs', `${CJS_IMPORTS}module.exports = { sessions: createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) }) }`],
  ])('finds %s in the working directory, loads it and removes the expired sessions', async (name, source) => {
    const dir = appDir()
    if (name.endsWith('.js')) writeFile(dir, 'package.json', '{ "type": "module" }\n')
    writeFile(dir, name, `${source}\n`)
    const path = join(dir, 'sessions.db')
    const live = await seed(path, 3)
    const result = await sess(['clear-expired'], dir)
    expect(result).toEqual({ code: 0, signal: null, stdout: 'removed 3 expired sessions\n', stderr: '' })
    expect(await alive(path, live)).toBe(true)
    expect((await sess(['clear-expired', '--json'], dir)).stdout).toBe('{"store":"sqlite","removed":0}\n')
  })

  it.each([
    ['config/sessions.cts', `${CJS_IMPORTS}module.exports = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })`],
    ['app/sessions.ts', `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })`],
    ['app/module.mjs', `${ESM_IMPORTS}export default { sessions: createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) }) }`],
  ])('--config %s, relative to the working directory', async (name, source) => {
    const dir = appDir()
    writeFile(dir, name, `${source}\n`)
    await seed(join(dir, 'sessions.db'), 2)
    expect(await sess(['clear-expired', '--config', name], dir)).toMatchObject({
      code: 0,
      stdout: 'removed 2 expired sessions\n',
      stderr: '',
    })
  })

  it('takes sess.config.ts before sess.config.mjs (the documented order)', async () => {
    const dir = appDir()
    writeFile(dir, 'sess.config.ts', `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'ts.db' }) })\n`)
    writeFile(
      dir,
      'sess.config.mjs',
      `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'mjs.db' }) })\n`,
    )
    await seed(join(dir, 'ts.db'), 1)
    await seed(join(dir, 'mjs.db'), 2)
    expect((await sess(['clear-expired'], dir)).stdout).toBe('removed 1 expired session\n')
  })

  it('exits when the command is done although the module started a server, a timer and printed to stdout; stdout holds the result alone', async () => {
    const dir = appDir()
    writeFile(
      dir,
      'sess.config.ts',
      [
        "import { createServer } from 'node:http'",
        ESM_IMPORTS,
        "createServer((_req, res) => res.end('app')).listen(0, '127.0.0.1', () => console.log('app listening'))",
        "setInterval(() => console.log('tick'), 60_000)",
        "console.log('starting the app')",
        "export const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })",
      ].join('\n'),
    )
    await seed(join(dir, 'sessions.db'), 2)
    // A hang is killed by the harness after its bound and fails on the exit code (null).
    const result = await sess(['clear-expired', '--json'], dir)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({ store: 'sqlite', removed: 2 })
    expect(lines(result.stdout)).toHaveLength(1)
    expect(result.stderr).toContain('starting the app')
  })

  it("gives up on a dispose that never ends, says so in one line and exits with the command's code", async () => {
    const dir = appDir()
    writeFile(
      dir,
      'sess.config.ts',
      [
        ESM_IMPORTS,
        "const base = sqliteEngine({ path: 'sessions.db' })",
        'export const sessions = createSessions({ engine: { ...base, name: base.name, capabilities: base.capabilities, read: base.read.bind(base), create: base.create.bind(base), update: base.update.bind(base), destroy: base.destroy.bind(base), purgeExpired: base.purgeExpired.bind(base), dispose: () => new Promise<void>(() => {}) } })',
      ].join('\n'),
    )
    await seed(join(dir, 'sessions.db'), 1)
    const result = await sess(['clear-expired'], dir)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toBe('removed 1 expired session\n')
    expect(lines(result.stderr)).toEqual(['sess: sessions.dispose() did not finish within 10000 ms; exiting anyway'])
  })

  it("reports a dispose that fails in one line, keeping the command's code", async () => {
    const dir = appDir()
    writeFile(
      dir,
      'sess.config.mjs',
      `${ESM_IMPORTS}const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })\nexport default { ...sessions, store: sessions.store, dispose: async () => { throw new Error('pool already ended') } }\n`,
    )
    const result = await sess(['clear-expired'], dir)
    expect(result).toMatchObject({
      code: 0,
      stdout: 'removed 0 expired sessions\n',
      stderr: 'sess: sessions.dispose() failed: pool already ended\n',
    })
  })

  describe('an error the module raises in the background', () => {
    let taken: Server
    beforeAll(async () => {
      taken = createServer()
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    })
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())))

    it('is one line on stderr, and the command still runs (an app server whose port the running app holds)', async () => {
      const { port } = taken.address() as { port: number }
      const dir = appDir()
      writeFile(
        dir,
        'sess.config.mjs',
        `import { createServer } from 'node:http'\n${ESM_IMPORTS}createServer().listen(${port}, '127.0.0.1')\nexport const sessions = createSessions({ engine: sqliteEngine({ path: 'sessions.db' }) })\n`,
      )
      await seed(join(dir, 'sessions.db'), 1)
      const result = await sess(['clear-expired'], dir)
      expect(result.code, result.stderr).toBe(0)
      expect(result.stdout).toBe('removed 1 expired session\n')
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(/^sess: ignored an error the config module raised in the background: .*EADDRINUSE/),
      ])
    })
  })

  describe('a missing or wrong file: one line, exit 2', () => {
    it('--config names a file that does not exist', async () => {
      expectOneLine(await sess(['stats', '--config', 'nope/sessions.ts'], appDir()), /^sess: config file not found: nope\/sessions\.ts$/m)
    })

    it('--config names a directory', async () => {
      const dir = appDir()
      writeFile(dir, 'app/x.ts', '')
      expectOneLine(await sess(['stats', '--config', 'app'], dir), /^sess: config path is not a file: app$/m)
    })

    it('no --config and no sess.config.* in the working directory', async () => {
      const dir = appDir()
      expectOneLine(
        await sess(['clear-expired'], dir),
        /^sess: no config file: pass --config PATH, or create sess\.config\.ts .* in .*sess-cli-/,
      )
    })

    it('a syntax error, with where it is', async () => {
      const dir = appDir()
      writeFile(dir, 'sess.config.ts', `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'x.db' }) )\n`)
      expectOneLine(await sess(['clear-expired'], dir), /^sess: cannot load sess\.config\.ts: .+ \(at .*sess\.config\.ts:\d+:\d+\)$/m)
    })

    it('an import that cannot be found', async () => {
      const dir = appDir()
      writeFile(dir, 'sess.config.mjs', "import { sqliteEngine } from '@sess/no-such-engine'\nexport const sessions = sqliteEngine\n")
      expectOneLine(await sess(['clear-expired'], dir), /^sess: cannot load sess\.config\.mjs: Cannot find module '@sess\/no-such-engine'/m)
    })

    it('a module that throws while it starts', async () => {
      const dir = appDir()
      writeFile(dir, 'sess.config.mjs', "throw new Error('DATABASE_URL is not set\\n(a second line)')\n")
      expectOneLine(await sess(['clear-expired'], dir), /^sess: cannot load sess\.config\.mjs: DATABASE_URL is not set$/m)
    })

    it('bad engine options (SessionError CONFIG at start-up)', async () => {
      const dir = appDir()
      writeFile(
        dir,
        'sess.config.ts',
        `${ESM_IMPORTS}export const sessions = createSessions({ engine: sqliteEngine({ path: 'x.db', busyTimeoutMs: -1 }) })\n`,
      )
      expectOneLine(await sess(['clear-expired'], dir), /^sess: cannot load sess\.config\.ts: \[@sess\/sqlite\] /m)
    })

    it('no sessions export', async () => {
      const dir = appDir()
      writeFile(dir, 'sess.config.ts', `${ESM_IMPORTS}export const store = sqliteEngine({ path: 'x.db' })\n`)
      expectOneLine(
        await sess(['list', '--user', 'ada'], dir),
        /^sess: sess\.config\.ts exports no sessions: export const sessions = createSessions/m,
      )
    })

    it.each([
      ['an engine', `${ESM_IMPORTS}export const sessions = sqliteEngine({ path: 'x.db' })`, 'its sessions export'],
      ['a number (CommonJS)', 'module.exports = 42', 'its default export'],
      ['a plain object', "export default { load() {}, store: { name: 'x' } }", 'its default export'],
    ])('a sessions export that is %s', async (_what, source, which) => {
      const dir = appDir()
      writeFile(dir, source.includes('module.exports') ? 'sess.config.cjs' : 'sess.config.mjs', `${source}\n`)
      const result = await sess(['clear-expired'], dir)
      expectOneLine(
        result,
        new RegExp(`^sess: ${which} in sess\\.config\\.c?m?js is not a Sessions object made by createSessions\\(\\)$`, 'm'),
      )
    })
  })
})
