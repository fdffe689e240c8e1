import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll } from 'vitest'

const bin = fileURLToPath(new URL('./bin.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('..', import.meta.url))
/** tsx's loader (a devDependency): the bin runs from its TypeScript source in a child process. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
/** A bound on one run of the bin: a command that hangs is killed and its test fails on the exit code (nothing is timed). */
const KILL_AFTER_MS = 60_000

/**
 * Every `@sess/*` entry point → its source file (the `@sess/source` export of each workspace package). jiti, which
 * loads the config modules, resolves packages with the `import`/`require` conditions only (Node's `--conditions` do
 * not reach it once a `dist/` exists), so the tests hand it these as aliases (`JITI_ALIAS`): config modules then
 * run the workspace's sources, as every package's tests do, whatever is built or stale in `dist/`.
 */
function sourceAliases(): Record<string, string> {
  const packages = resolve(packageDir, '..')
  const aliases: Record<string, string> = {}
  for (const dir of readdirSync(packages)) {
    let manifest: { name?: string; exports?: Record<string, unknown> }
    try {
      manifest = JSON.parse(readFileSync(join(packages, dir, 'package.json'), 'utf8'))
    } catch {
      continue
    }
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const source = (target as { '@sess/source'?: string } | null)?.['@sess/source']
      if (manifest.name && typeof source === 'string') aliases[join(manifest.name, subpath)] = join(packages, dir, source)
    }
  }
  return aliases
}
const JITI_ALIAS = JSON.stringify(sourceAliases())

const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

/**
 * A fresh app directory under the system temp directory, removed after the test file: its `node_modules` is a
 * link to this package's, so a config module there imports `@sess/core`, `@sess/sqlite`… as an app does.
 */
export function appDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sess-cli-'))
  dirs.push(dir)
  symlinkSync(join(packageDir, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/** Writes a file (a config module) into `dir` and returns its path. */
export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name)
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, text)
  return path
}

/** How one run of the bin ended. `code` is `null` when it was killed (it hung). */
export interface BinResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Runs the real `sess` bin in a new Node process with `cwd` as its working directory (the workspace's packages
 * from their sources, as every package's tests use them) and resolves when it exits — or when it is killed
 * after {@link KILL_AFTER_MS}.
 */
export function sess(args: string[], cwd: string, env: Record<string, string> = {}): Promise<BinResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@sess/source', '--import', tsx, bin, ...args],
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', JITI_ALIAS, ...env },
        timeout: KILL_AFTER_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 4 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0
        resolve({ code: error?.killed ? null : code, signal: (error?.signal as NodeJS.Signals | undefined) ?? null, stdout, stderr })
      },
    )
  })
}

/** The lines of a stream's text, without the empty last one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1)
}

/** A config module's source: the imports, then `body` (which must export `sessions`). */
export function esm(imports: Record<string, string[]>, body: string): string {
  const head = Object.entries(imports).map(([from, names]) => `import { ${names.join(', ')} } from ${JSON.stringify(from)}`)
  return `${head.join('\n')}\n${body}\n`
}
