// One-off generator for package manifests (kept for adding packages consistently).
import { writeFileSync, mkdirSync } from 'node:fs'

const pkgs = {
  core: {
    desc: "Server-side sessions with Django's semantics: the session lifecycle, the engine contract, cookies, keys and errors. Runs on Node, Bun, Deno and workers.",
    deps: {},
    peer: {},
    dev: {},
    bin: { 'sess-clear-expired': './dist/cli.js' },
    entries: ['src/index.ts', 'src/cli.ts'],
  },
  'engine-tests': {
    desc: 'The conformance suites every @sess engine, store and binding passes.',
    deps: {},
    peer: { vitest: '>=3' },
    dev: {},
    external: ['vitest'],
  },
  memory: { desc: 'A bounded in-process session engine for @sess/core (lru-cache, TTL-aware).', deps: { 'lru-cache': 'catalog:' } },
  sqlite: {
    desc: 'The embedded default session engine for @sess/core: SQLite via better-sqlite3, WAL, prepared statements.',
    deps: { 'better-sqlite3': 'catalog:' },
    dev: { '@types/better-sqlite3': 'catalog:' },
  },
  file: { desc: 'One file per session, crash-safe atomic writes: a session engine for @sess/core.', deps: {} },
  'cached-db': {
    desc: 'Any cache engine in front of any durable engine, write-through: a session engine for @sess/core.',
    deps: {},
    dev: { '@sess/memory': 'workspace:*', '@sess/sqlite': 'workspace:*', '@sess/file': 'workspace:*' },
  },
  'signed-cookie': {
    desc: 'Sealed (encrypted and authenticated) cookie sessions for @sess/core: key rotation, chunking, no server state.',
    deps: { 'iron-webcrypto': 'catalog:' },
  },
  redis: {
    desc: 'A Redis / Valkey / Redis Cluster session engine for @sess/core, on any client.',
    deps: {},
    dev: { redis: 'catalog:', ioredis: 'catalog:' },
  },
  postgres: { desc: 'A PostgreSQL session engine for @sess/core on pg.', deps: { pg: 'catalog:' }, dev: { '@types/pg': 'catalog:' } },
  express: {
    desc: 'Express 4 and 5 binding for @sess/core: req.session.',
    deps: {},
    peer: { express: '^4.17.0 || ^5.0.0' },
    dev: {
      express: 'catalog:',
      express4: 'npm:express@^4.21.2',
      '@types/express': 'catalog:',
      '@sess/memory': 'workspace:*',
      '@sess/sqlite': 'workspace:*',
    },
  },
  koa: {
    desc: 'Koa 2 and 3 binding for @sess/core: ctx.session.',
    deps: {},
    peer: { koa: '^2.13.0 || ^3.0.0' },
    dev: { koa: 'catalog:', koa2: 'npm:koa@^2.16.1', '@types/koa': 'catalog:', '@sess/memory': 'workspace:*' },
  },
  hono: {
    desc: "Hono binding for @sess/core: c.get('session'), on Node and on every Web-standard runtime.",
    deps: {},
    peer: { hono: '^4.0.0' },
    dev: { hono: 'catalog:', '@hono/node-server': 'catalog:', '@sess/memory': 'workspace:*' },
  },
}

for (const [dir, p] of Object.entries(pkgs)) {
  const root = `packages/${dir}`
  mkdirSync(`${root}/src`, { recursive: true })
  const name = `@sess/${dir}`
  const isCore = dir === 'core'
  const peer = { ...(isCore ? {} : { '@sess/core': 'workspace:^' }), ...(p.peer ?? {}) }
  const dev = {
    ...(isCore ? {} : { '@sess/core': 'workspace:*' }),
    ...(dir === 'core' || dir === 'engine-tests' ? {} : { '@sess/engine-tests': 'workspace:*' }),
    '@types/node': 'catalog:',
    tsup: 'catalog:',
    typescript: 'catalog:',
    vitest: 'catalog:',
    ...(p.dev ?? {}),
  }
  const entryExport = {
    '@sess/source': './src/index.ts',
    import: { types: './dist/index.d.ts', default: './dist/index.js' },
    require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
  }
  const manifest = {
    name,
    version: '0.0.0',
    description: p.desc,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    keywords: ['session', 'sessions', 'django', 'cookie'],
    repository: { type: 'git', url: 'git+https://example.invalid/sess.git', directory: root },
    exports: { '.': entryExport, './package.json': './package.json' },
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    ...(p.bin ? { bin: p.bin } : {}),
    files: ['dist', 'src', '!src/**/*.test.ts', '!src/**/test-*'],
    scripts: {
      build: 'tsup',
      test: 'vitest run',
      typecheck: 'tsc --noEmit',
      'lint:package': 'publint --strict && attw --pack . --profile node16',
    },
    ...(Object.keys(p.deps ?? {}).length ? { dependencies: p.deps } : {}),
    ...(Object.keys(peer).length ? { peerDependencies: peer } : {}),
    devDependencies: dev,
    engines: { node: '>=20.9' },
    publishConfig: { access: 'public' },
  }
  writeFileSync(`${root}/package.json`, `${JSON.stringify(manifest, null, 2)}\n`)
  writeFileSync(
    `${root}/tsconfig.json`,
    `${JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { types: ['node'] }, include: ['src'] }, null, 2)}\n`,
  )
  const opts = []
  if (p.entries) opts.push(`entry: ${JSON.stringify(p.entries)}`)
  if (p.external) opts.push(`external: ${JSON.stringify(p.external)}`)
  writeFileSync(
    `${root}/tsup.config.ts`,
    `import { sessBuild } from '../../tsup.config.base.ts'\n\nexport default sessBuild(${opts.length ? `{ ${opts.join(', ')} }` : ''})\n`,
  )
  writeFileSync(
    `${root}/vitest.config.ts`,
    `import { sessProject } from '../../vitest.shared.ts'\n\nexport default sessProject('${dir}')\n`,
  )
}
