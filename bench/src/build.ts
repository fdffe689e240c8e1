import { spawn } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const packagesDir = fileURLToPath(new URL('../../packages', import.meta.url))
/** Where `--from build` puts its builds. */
export const buildDir = join(benchDir, '.build')
/** The `--import` that makes a process load @sess packages from {@link buildDir}. */
export const buildHook = fileURLToPath(new URL('./hooks/register-build.mjs', import.meta.url))

function buildOne(name: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, 'src/build-one.ts'), join(buildDir, name)], {
      cwd: join(packagesDir, name),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stdout.on('data', (d: Buffer) => (err += d))
    child.stderr.on('data', (d: Buffer) => (err += d))
    child.on('close', (code) => resolve(code === 0 ? null : err.trim().split('\n').slice(0, 4).join(' | ') || `exit ${code}`))
  })
}

/**
 * Builds every @sess package that has sources into bench/.build (fresh each run), two at a time.
 * Returns the packages that did not build, with the reason; their cases are then skipped.
 */
export async function buildPackages(log: (s: string) => void): Promise<Map<string, string>> {
  rmSync(buildDir, { recursive: true, force: true })
  const names = readdirSync(packagesDir).filter(
    (n) =>
      n !== 'engine-tests' && existsSync(join(packagesDir, n, 'src', 'index.ts')) && existsSync(join(packagesDir, n, 'tsup.config.ts')),
  )
  const failed = new Map<string, string>()
  const t0 = performance.now()
  const queue = [...names]
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const problem = await buildOne(name)
      if (problem) {
        failed.set(`@sess/${name}`, problem)
        rmSync(join(buildDir, name), { recursive: true, force: true })
      }
    }
  }
  await Promise.all([worker(), worker()])
  log(
    `built ${names.length - failed.size} @sess packages into bench/.build in ${((performance.now() - t0) / 1000).toFixed(1)} s${failed.size ? `; failed: ${[...failed].map(([n, why]) => `${n} (${why})`).join('; ')}` : ''}`,
  )
  return failed
}

/** Node flags for a child that loads @sess packages `from` source, dist or the bench's build. */
export function childExecArgv(from: 'source' | 'dist' | 'build'): string[] {
  return ['--import', 'tsx', ...(from === 'source' ? ['--conditions=@sess/source'] : from === 'build' ? ['--import', buildHook] : [])]
}
