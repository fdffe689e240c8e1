import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packagesDir = fileURLToPath(new URL('../../packages', import.meta.url))

/** One package's own micro-benchmark script and what it printed. */
export interface PackageBench {
  file: string
  output: string
  ok: boolean
}

/** The micro-benchmarks the engine packages keep in `packages/<name>/bench/*.ts`. */
export function findPackageBenches(): string[] {
  const out: string[] = []
  for (const name of readdirSync(packagesDir)) {
    const dir = join(packagesDir, name, 'bench')
    if (!existsSync(dir)) continue
    for (const f of readdirSync(dir)) if (f.endsWith('.ts') && !f.endsWith('.d.ts')) out.push(join('packages', name, 'bench', f))
  }
  return out.sort()
}

/**
 * Runs a package's bench script the way its header documents (`npx tsx --conditions=@sess/source
 * bench/x.ts` in the package directory, its default rounds), one at a time, and keeps its output verbatim.
 */
export function runPackageBench(file: string): Promise<PackageBench> {
  const [, name, , script] = file.split('/')
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@sess/source', join('bench', script!)], {
      cwd: join(packagesDir, name!),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d))
    child.stderr.on('data', (d: Buffer) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ file, output: output.trim(), ok: code === 0 })
    })
  })
}
