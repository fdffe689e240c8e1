import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { catalog, ROOT } from './workspace.js'

const run = promisify(execFile)

/** Third-party packages the quick starts import or a TypeScript user of them has, at the workspace's versions. */
const APP_DEPENDENCIES = [
  'express',
  'koa',
  'hono',
  '@hono/node-server',
  'next',
  'react',
  'react-dom',
  'redis',
  'vitest',
  'typescript',
  '@types/node',
  '@types/express',
  '@types/koa',
]

/**
 * Writes a fresh app in `dir` (outside the workspace) that depends on the tarballs and on the quick starts'
 * frameworks, and installs it with npm as a user would (`--prefer-offline`: npm's own cache, the registry for
 * what it lacks).
 */
export async function installApp(dir: string, tarballs: Record<string, string>): Promise<void> {
  const versions = catalog()
  const dependencies: Record<string, string> = {}
  for (const [name, tarball] of Object.entries(tarballs)) dependencies[name] = `file:${tarball}`
  for (const name of APP_DEPENDENCIES) {
    const range = versions[name]
    if (!range) throw new Error(`${name} is not in the catalog of pnpm-workspace.yaml`)
    dependencies[name] = range
  }
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'sess-pack-test-app', private: true, type: 'module', dependencies }, null, 2)}\n`,
  )
  // Install scripts are skipped: the only one in this tree is better-sqlite3's native build, handled below.
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
    cwd: dir,
    env: { ...userEnv(), npm_config_update_notifier: 'false' },
    maxBuffer: 16 * 1024 * 1024,
  })
  await nativeSqlite(dir)
}

/**
 * better-sqlite3's install script downloads a prebuilt binary or compiles SQLite (minutes on a small machine).
 * When the workspace holds a binary of the very version npm installed, that binary is copied; otherwise the
 * install script runs as npm would run it.
 */
async function nativeSqlite(dir: string): Promise<void> {
  const installed = join(dir, 'node_modules', 'better-sqlite3')
  const version = (path: string) => (JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as { version: string }).version
  const binary = join('build', 'Release', 'better_sqlite3.node')
  const workspace = dirname(createRequire(join(ROOT, 'packages', 'sqlite', 'package.json')).resolve('better-sqlite3/package.json'))
  if (existsSync(join(workspace, binary)) && version(workspace) === version(installed)) {
    mkdirSync(join(installed, 'build', 'Release'), { recursive: true })
    copyFileSync(join(workspace, binary), join(installed, binary))
  } else {
    await run('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts'], { cwd: dir, env: userEnv(), maxBuffer: 16 * 1024 * 1024 })
  }
}

/** The app's tsconfig for one module resolution: a strict TypeScript user's, checking the packages' .d.ts too. */
export function writeTsconfig(dir: string, file: string, resolution: 'node16' | 'bundler', include: string[]): void {
  const compilerOptions =
    resolution === 'node16'
      ? { module: 'node16', moduleResolution: 'node16', outDir: 'out', noEmitOnError: false }
      : { module: 'preserve', moduleResolution: 'bundler', noEmit: true }
  const config = {
    compilerOptions: {
      ...compilerOptions,
      target: 'es2022',
      lib: ['es2023'],
      types: ['node'],
      strict: true,
      esModuleInterop: true,
      skipLibCheck: false,
    },
    include,
  }
  writeFileSync(join(dir, file), `${JSON.stringify(config, null, 2)}\n`)
}

/** This process's environment without what vitest adds for its own workers. */
function userEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of Object.keys(env)) {
    if (name === 'NODE_OPTIONS' || name.startsWith('VITEST') || name === 'TEST' || /^npm_(config|package|lifecycle)_/i.test(name))
      delete env[name]
  }
  env.NODE_ENV = 'production'
  env.NO_COLOR = '1'
  return env
}

/** Runs a command in the app; resolves with its exit code and output (never rejects on a non-zero exit). */
export async function inApp(
  dir: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, {
      cwd: dir,
      env: { ...userEnv(), ...env },
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string; message: string }
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message }
  }
}
