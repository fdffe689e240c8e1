import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './workspace.js'

/** How one README's quick start is made into a program that runs, checks itself and prints one JSON line. */
export interface QuickStart {
  /** The program's file name (without extension). */
  name: string
  /** The README, relative to the repository root; its first ```ts block is the quick start. */
  readme: string
  /** The packages of `packages/` whose README this is (every publishable package has one). */
  packages: string[]
  /** Imports the adapter adds to the README's. */
  imports?: string[]
  /** Statements before the README's code (what the README leaves to the reader, e.g. `const app = express()`). */
  prelude?: string
  /** The lines of the README's block that make the program, when the block sketches several files. */
  select?: (line: string) => boolean
  /** Exact replacements in the README's code, each of which must occur (a port, a directory outside the app). */
  replace?: [from: string, to: string][]
  /** Statements after the README's code, in its scope: they exercise it and print the result. */
  epilogue: string
  /** Environment the README reads (`process.env.…`). */
  env?: Record<string, string>
  /** What the program prints (compared with `toMatchObject`). */
  expected: unknown
  /**
   * Set, with the reason, when the framework ships ESM only: CommonJS reaches it through `require(esm)` (Node ≥
   * 20.19), which TypeScript's node16 mode reports as TS1479. The CommonJS program still runs; only those
   * TS1479 lines (in the program and in the package's own `.d.cts`) are not counted.
   */
  esmOnlyFramework?: string
  /**
   * Modules the program imports that ship no types, with the reason their `@types` package is not in the app
   * (TS7016 for exactly these imports of this program is not counted).
   */
  untypedImports?: { modules: string[]; reason: string }
}

const REDIS_URL = 'redis://127.0.0.1:6379'
const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** Where @sess/cli's quick start keeps its SQLite file (apart from @sess/sqlite's). */
const CLI_REPLACE: [string, string][] = [["'var/sessions.sqlite3'", "'var/cli-sessions.sqlite3'"]]

/** The README quick starts a user copies: each package's, and the repository's own. */
export const QUICK_STARTS: QuickStart[] = [
  {
    name: 'root',
    readme: 'README.md',
    packages: [],
    replace: [['.listen(3000)', '.listen(0)']],
    epilogue: "await packVisit([{ method: 'GET', path: '/' }])",
    expected: [{ status: 200, body: {} }],
  },
  {
    name: 'core',
    readme: 'packages/core/README.md',
    packages: ['core'],
    replace: [['app.listen(3000)', 'app.listen(0)']],
    epilogue: "await packVisit([{ method: 'GET', path: '/' }, { method: 'GET', path: '/' }])",
    expected: [
      { status: 200, body: { count: 1 }, setCookie: true },
      { status: 200, body: { count: 2 } },
    ],
  },
  {
    name: 'express',
    readme: 'packages/express/README.md',
    packages: ['express'],
    imports: ["import express from 'express'"],
    prelude: 'const app = express()',
    epilogue: "app.listen(0)\nawait packVisit([{ method: 'GET', path: '/' }])",
    expected: [{ status: 200, body: { visits: 0 }, setCookie: false }],
  },
  {
    name: 'koa',
    readme: 'packages/koa/README.md',
    packages: ['koa'],
    replace: [['app.listen(3000)', 'app.listen(0)']],
    epilogue: "await packVisit([{ method: 'GET', path: '/' }, { method: 'GET', path: '/' }])",
    expected: [
      { status: 200, body: { visits: 1 }, setCookie: true },
      { status: 200, body: { visits: 2 } },
    ],
  },
  {
    name: 'hono',
    readme: 'packages/hono/README.md',
    packages: ['hono'],
    imports: ["import { serve } from '@hono/node-server'"],
    epilogue: "serve({ fetch: app.fetch, port: 0 })\nawait packVisit([{ method: 'GET', path: '/' }, { method: 'GET', path: '/' }])",
    expected: [
      { status: 200, body: { visits: 1 }, setCookie: true },
      { status: 200, body: { visits: 2 } },
    ],
  },
  {
    name: 'signed-cookie',
    readme: 'packages/signed-cookie/README.md',
    packages: ['signed-cookie'],
    env: { SESSION_SECRET_1: 'a-first-secret-of-at-least-32-characters', SESSION_SECRET_2: 'a-second-secret-of-at-least-32-characters' },
    epilogue: "app.listen(0)\nawait packVisit([{ method: 'POST', path: '/login' }])",
    expected: [{ status: 200, body: { ok: true }, setCookie: true }],
  },
  {
    // The block sketches four files of a Next.js app; the program is its sessions module and its Route Handler
    // (pages and Server Actions need a Next.js server: examples/ builds and serves one).
    name: 'next',
    readme: 'packages/next/README.md',
    packages: ['next'],
    select: (line) => line.startsWith('export const sessions') || line.startsWith('export const POST'),
    imports: [
      "import { createSessions } from '@sess/core'",
      "import { withSession } from '@sess/next'",
      "import { sqliteEngine } from '@sess/sqlite'",
    ],
    epilogue: "await packCall(POST, [{ method: 'POST', path: '/api/count' }, { method: 'POST', path: '/api/count' }])",
    expected: [
      { status: 200, body: { count: 1 }, setCookie: true },
      { status: 200, body: { count: 2 } },
    ],
  },
  {
    name: 'fastify',
    readme: 'packages/fastify/README.md',
    packages: ['fastify'],
    replace: [['await app.listen({ port: 3000 })', "await app.listen({ port: 0, host: '127.0.0.1' })"]],
    epilogue: "await packVisit([{ method: 'GET', path: '/' }, { method: 'POST', path: '/login' }, { method: 'POST', path: '/logout' }])",
    expected: [
      { status: 200, body: { visits: 0 }, setCookie: false },
      { status: 200, body: { ok: true }, setCookie: true },
      { status: 200, body: { ok: true }, setCookie: true },
    ],
  },
  {
    name: 'h3',
    readme: 'packages/h3/README.md',
    packages: ['h3'],
    replace: [['serve(app, { port: 3000 })', "serve(app, { port: 0, hostname: '127.0.0.1', silent: true })"]],
    esmOnlyFramework: 'h3 2 is ESM only (and needs Node ≥ 20.19, where require(esm) works)',
    epilogue: "await packVisit([{ method: 'GET', path: '/' }, { method: 'POST', path: '/login' }])",
    expected: [
      { status: 200, body: { visits: 0 }, setCookie: false },
      { status: 200, body: { ok: true }, setCookie: true },
    ],
  },
  {
    // The block is an app's sessions module; the program uses it as a loader and an action would.
    name: 'react-router',
    readme: 'packages/react-router/README.md',
    packages: ['react-router'],
    epilogue: [
      'const packFirst = await getSession(null)',
      "packFirst.set('userId', 'ada')",
      'const packCookie = (await commitSession(packFirst)).split(";")[0]!',
      'const packAgain = await getSession(packCookie)',
      "console.log(JSON.stringify({ userId: packAgain.get('userId'), gone: (await destroySession(packAgain)).includes('Max-Age=0') }))",
    ].join('\n'),
    expected: { userId: 'ada', gone: true },
  },
  {
    // The block shows both directions; the program runs the first (a connect store under sess) against the real
    // Redis and type-checks the second (a sess engine under express-session) with the app it leaves to the reader.
    name: 'connect',
    readme: 'packages/connect/README.md',
    packages: ['connect'],
    imports: ["import express from 'express'", "import { sqliteEngine } from '@sess/sqlite'"],
    prelude: "const app = express()\nconst secret = 'a-secret-of-the-app'",
    untypedImports: {
      modules: ['express-session'],
      reason: "@types/express-session augments Express's req.session, which clashes with @sess/express's in one project",
    },
    epilogue: 'await packRoundTrip(sessions)\nawait client.quit()',
    expected: { user: 'ada' },
  },
  {
    // The block is the config module `sess` loads; the program runs the installed bin on it (see cliEpilogue).
    name: 'cli',
    readme: 'packages/cli/README.md',
    packages: ['cli'],
    imports: [
      "import { spawnSync } from 'node:child_process'",
      "import { mkdirSync, writeFileSync } from 'node:fs'",
      "import { dirname, join } from 'node:path'",
    ],
    replace: CLI_REPLACE,
    epilogue: cliEpilogue('packages/cli/README.md', CLI_REPLACE),
    expected: { listed: [{ agent: 'pack-test' }], removed: 1, after: null, cleared: 0 },
  },
  {
    name: 'sqlite',
    readme: 'packages/sqlite/README.md',
    packages: ['sqlite'],
    epilogue: 'await packRoundTrip(sessions)',
    expected: { user: 'ada' },
  },
  {
    name: 'memory',
    readme: 'packages/memory/README.md',
    packages: ['memory'],
    epilogue: 'await packRoundTrip(sessions)',
    expected: { user: 'ada' },
  },
  {
    name: 'file',
    readme: 'packages/file/README.md',
    packages: ['file'],
    replace: [["'/var/lib/myapp/sessions'", "'var/file-sessions'"]],
    epilogue: 'await packRoundTrip(sessions)',
    expected: { user: 'ada' },
  },
  {
    name: 'cached-db',
    readme: 'packages/cached-db/README.md',
    packages: ['cached-db'],
    epilogue: 'await packRoundTrip(sessions)',
    expected: { user: 'ada' },
  },
  {
    name: 'redis',
    readme: 'packages/redis/README.md',
    packages: ['redis'],
    env: { REDIS_URL },
    epilogue: 'await packRoundTrip(sessions)\nclient.destroy()',
    expected: { user: 'ada' },
  },
  {
    name: 'postgres',
    readme: 'packages/postgres/README.md',
    packages: ['postgres'],
    env: { DATABASE_URL },
    epilogue: 'await packRoundTrip(sessions)',
    expected: { user: 'ada' },
  },
]

/**
 * The epilogue of @sess/cli's quick start (a config module, with `replace` applied): it writes that module to
 * var/cli/sess.config.ts, signs a session in through the program's own `sessions`, and runs the installed `sess`
 * bin on the module as an operator would — list the user's sessions, destroy them, clear expired ones.
 */
function cliEpilogue(readme: string, replace: [string, string][]): string {
  let config = quickStartCode(readme)
  for (const [from, to] of replace) config = config.replace(from, to)
  return [
    "const packConfig = join('var', 'cli', 'sess.config.ts')",
    'mkdirSync(dirname(packConfig), { recursive: true })',
    `writeFileSync(packConfig, ${JSON.stringify(config)})`,
    'const packSess = (...args: string[]): any => {',
    "  const run = spawnSync(join('node_modules', '.bin', 'sess'), [...args, '--json', '--config', packConfig], { encoding: 'utf8' })",
    "  if (run.status !== 0) throw new Error('sess ' + args.join(' ') + ' exited ' + run.status + ': ' + run.stderr)",
    '  return JSON.parse(run.stdout)',
    '}',
    'const packSession = sessions.load(null)',
    "await packSession.setUser('ada', { agent: 'pack-test' })",
    "const packCookie = (await sessions.commit(packSession, { status: 200 })).setCookie[0]!.split(';')[0]!",
    "const packListed = packSess('list', '--user', 'ada')",
    "const packDestroyed = packSess('destroy', '--user', 'ada')",
    'const packAfter = await sessions.load(packCookie).getUser()',
    "const packCleared = packSess('clear-expired')",
    'await sessions.dispose()',
    'console.log(JSON.stringify({ listed: packListed.sessions.map((s: any) => s.metadata), removed: packDestroyed.removed, after: packAfter, cleared: packCleared.removed }))',
  ].join('\n')
}

/**
 * The README of @sess/engine-tests is a test file: it runs under vitest in the app, with `./my-engine.js` an engine
 * from another tarball (`@sess/memory`).
 */
export const ENGINE_TESTS_README = 'packages/engine-tests/README.md'
export const MY_ENGINE = `import { memoryEngine } from '@sess/memory'

/** The README's "my engine": any engine will do. */
export function myEngine(_options: { url: string | undefined }) {
  return memoryEngine()
}
`

/** README examples that are whole modules but not programs: they are type-checked (ESM, both resolutions), not run. */
export const TYPED_EXAMPLES: { name: string; readme: string; contains: string }[] = [
  { name: 'core-write-your-own-engine', readme: 'packages/core/README.md', contains: 'export const mapEngine' },
]

/** The \`\`\`ts blocks of a README. */
function codeBlocks(readme: string): string[] {
  const text = readFileSync(join(ROOT, readme), 'utf8')
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!)
}

/** The first \`\`\`ts block of a README. */
export function quickStartCode(readme: string): string {
  const code = codeBlocks(readme)[0]
  if (!code) throw new Error(`${readme} has no \`\`\`ts block`)
  return code
}

/** The \`\`\`ts block of a README that contains `marker`. */
export function exampleCode(readme: string, marker: string): string {
  const code = codeBlocks(readme).find((c) => c.includes(marker))
  if (!code) throw new Error(`${readme} has no \`\`\`ts block containing ${marker}`)
  return code
}

/** What every program shares: a hook on the HTTP server the README starts, a client, an engine round trip. */
const HARNESS_IMPORTS = ["import { Server as PackServer } from 'node:http'", "import type { Sessions as PackSessions } from '@sess/core'"]
const HARNESS = `
/** The first HTTP server the README's code starts (it listens on port 0 here). */
const packListening = new Promise<PackServer>((resolve) => {
  const listen = PackServer.prototype.listen
  PackServer.prototype.listen = function (this: PackServer, ...args: unknown[]) {
    resolve(this)
    return (listen as (...a: unknown[]) => PackServer).apply(this, args)
  } as typeof listen
})

/** Sends the requests in turn with the cookies they set (a browser), prints what came back, closes the server. */
async function packVisit(requests: { method: string; path: string }[]): Promise<void> {
  const server = await packListening
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  let cookie = ''
  const seen: { status: number; body: unknown; setCookie: boolean }[] = []
  for (const { method, path } of requests) {
    const response = await fetch(\`http://127.0.0.1:\${port}\${path}\`, { method, headers: cookie ? { cookie } : {} })
    const set = response.headers.getSetCookie()
    if (set.length > 0) cookie = set.map((c) => c.split(';')[0]).join('; ')
    seen.push({ status: response.status, body: await response.json(), setCookie: set.length > 0 })
  }
  console.log(JSON.stringify(seen))
  server.closeAllConnections()
  server.close()
}

/** Calls a fetch-style handler with the requests in turn and the cookies they set; prints what came back. */
async function packCall(handler: (request: Request) => Promise<Response>, requests: { method: string; path: string }[]): Promise<void> {
  let cookie = ''
  const seen: { status: number; body: unknown; setCookie: boolean }[] = []
  for (const { method, path } of requests) {
    const response = await handler(new Request(\`http://localhost\${path}\`, { method, headers: cookie ? { cookie } : {} }))
    const set = response.headers.getSetCookie()
    if (set.length > 0) cookie = set.map((c) => c.split(';')[0]).join('; ')
    seen.push({ status: response.status, body: await response.json(), setCookie: set.length > 0 })
  }
  console.log(JSON.stringify(seen))
}

/** Saves a session, reads it back through its cookie, flushes it and disposes of the engine; prints what it read. */
async function packRoundTrip(sessions: PackSessions<{ user?: string }>): Promise<void> {
  const session = sessions.load(null)
  await session.set('user', 'ada')
  const { setCookie } = await sessions.commit(session, { status: 200 })
  const again = sessions.load(setCookie[0]!.split(';')[0]!)
  const user = await again.get('user')
  await again.flush()
  await sessions.commit(again, { status: 200 })
  await sessions.dispose()
  console.log(JSON.stringify({ user }))
}
`

/**
 * The program of a quick start: the README's code with the adapter's additions. ESM keeps it as it is (top-level
 * await); CommonJS runs its statements in an async function (CommonJS has no top-level await, so a
 * top-level \`export\` becomes a local).
 */
export function program(quickStart: QuickStart, module: 'esm' | 'cjs'): string {
  let code = quickStartCode(quickStart.readme)
  if (quickStart.select) code = code.split('\n').filter(quickStart.select).join('\n')
  for (const [from, to] of quickStart.replace ?? []) {
    if (!code.includes(from)) throw new Error(`${quickStart.readme}: the quick start no longer contains ${from}`)
    code = code.replace(from, to)
  }
  const lines = code.split('\n')
  const imports = lines.filter((l) => l.startsWith('import '))
  const body = lines.filter((l) => !l.startsWith('import ')).join('\n')
  const head = [...imports, ...(quickStart.imports ?? []), ...HARNESS_IMPORTS].join('\n')
  const statements = [quickStart.prelude ?? '', module === 'esm' ? body : body.replace(/^export /gm, ''), quickStart.epilogue].join('\n')
  if (module === 'esm') return `${head}\n${HARNESS}\n${statements}\n`
  const indented = statements.replace(/^(?=.)/gm, '  ')
  return `${head}\n${HARNESS}\nasync function packMain(): Promise<void> {\n${indented}\n}\npackMain().catch((error: unknown) => {\n  console.error(error)\n  process.exitCode = 1\n})\n`
}
