import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The monorepo's root directory. */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url))

/** The parts of a package.json this test reads. */
export interface Manifest {
  name: string
  version: string
  private?: boolean
  main?: string
  module?: string
  types?: string
  bin?: Record<string, string>
  exports?: Record<string, unknown>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  peerDependenciesMeta?: Record<string, { optional?: boolean }>
  devDependencies?: Record<string, string>
}

/** One package of `packages/` that is published (not `private`). */
export interface Publishable {
  /** The directory name under `packages/`, e.g. `signed-cookie`. */
  dir: string
  manifest: Manifest
}

/** Every publishable package under `packages/`, sorted by directory name. */
export function publishablePackages(): Publishable[] {
  const out: Publishable[] = []
  for (const dir of readdirSync(join(ROOT, 'packages')).sort()) {
    let manifest: Manifest
    try {
      manifest = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest
    } catch {
      continue
    }
    if (!manifest.private) out.push({ dir, manifest })
  }
  return out
}

/** The `catalog:` of pnpm-workspace.yaml: dependency name → version range. */
export function catalog(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8')
  const section = /^catalog:\n((?:[ \t]+.*\n?)*)/m.exec(text)?.[1] ?? ''
  const out: Record<string, string> = {}
  for (const line of section.split('\n')) {
    const m = /^\s+("?)([^":]+)\1:\s*(.+?)\s*$/.exec(line)
    if (m) out[m[2]!] = m[3]!
  }
  return out
}

/**
 * `pnpm pack` of one package into `destination` (pnpm rewrites `workspace:` and `catalog:` ranges to real ones,
 * as `pnpm publish` does). Returns the tarball's path.
 */
export function pack(dir: string, destination: string): string {
  const before = new Set(readdirSync(destination))
  execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: join(ROOT, 'packages', dir), stdio: 'pipe' })
  const created = readdirSync(destination).filter((f) => f.endsWith('.tgz') && !before.has(f))
  if (created.length !== 1) throw new Error(`pnpm pack in packages/${dir} made ${created.length} tarballs`)
  return join(destination, created[0]!)
}

/** Every path a manifest points at: `main`, `module`, `types`, `bin` and each leaf of `exports` (the `@sess/source` ones too). */
export function manifestTargets(manifest: Manifest): string[] {
  const out = new Set<string>()
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.add(value)
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) walk(inner)
  }
  for (const path of [manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin ?? {})]) if (path) out.add(path)
  walk(manifest.exports)
  return [...out].sort()
}
