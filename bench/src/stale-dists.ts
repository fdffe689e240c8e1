import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const packagesDir = fileURLToPath(new URL('../../packages', import.meta.url))

function newest(dir: string): number {
  let t = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name)
    if (entry.isDirectory()) t = Math.max(t, newest(p))
    else if (!/\.test\.ts$|^test-/.test(entry.name)) t = Math.max(t, statSync(p).mtimeMs)
  }
  return t
}

/** The @sess packages whose dist/index.js is missing or older than a file in their src/. */
export function staleDists(): string[] {
  const stale: string[] = []
  for (const name of readdirSync(packagesDir)) {
    const src = join(packagesDir, name, 'src')
    if (!existsSync(src) || name === 'engine-tests') continue
    const dist = join(packagesDir, name, 'dist', 'index.js')
    if (!existsSync(dist) || statSync(dist).mtimeMs < newest(src)) stale.push(`@sess/${name}`)
  }
  return stale
}
