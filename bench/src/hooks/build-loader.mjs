// Node module hooks for `--from build`: `@sess/<name>` resolves to the bench's own build of that package
// (bench/.build/<name>/), and the bare imports inside those files resolve as if from the package's own
// directory (its dependencies). Plain JS so that it needs no loader itself. `SESS_BENCH_BUILD=<dir>` loads another
// copy of the build instead (the paired A/B tool compares two builds that way).
import { existsSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const buildDir = process.env.SESS_BENCH_BUILD
  ? pathToFileURL(`${process.env.SESS_BENCH_BUILD.replace(/\/$/, '')}/`)
  : new URL('../../.build/', import.meta.url)
const packagesDir = new URL('../../../packages/', import.meta.url)

export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@sess/') && !specifier.slice(6).includes('/')) {
    const dir = new URL(`${specifier.slice(6)}/`, buildDir)
    // `node.js` is the `node` export condition's entry where a package has one (@sess/signed-cookie).
    for (const entry of ['node.js', 'index.js']) {
      const url = new URL(entry, dir)
      if (existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true }
    }
    const error = new Error(`Cannot find module '${specifier}': not built (no ${dir.pathname}index.js)`)
    error.code = 'ERR_MODULE_NOT_FOUND'
    throw error
  }
  const subpath = /^@sess\/([^/]+)\/(.+)$/.exec(specifier)
  if (subpath) {
    // `@sess/core/engine` → the build of the file its `@sess/source` export names (src/entry-engine.ts → entry-engine.js).
    const [, name, sub] = subpath
    const manifest = JSON.parse(readFileSync(new URL(`${name}/package.json`, packagesDir), 'utf8'))
    const source = manifest.exports?.[`./${sub}`]?.['@sess/source']
    const url = typeof source === 'string' ? new URL(`${name}/${source.replace(/^\.\/src\//, '').replace(/\.ts$/, '.js')}`, buildDir) : null
    if (url && existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true }
  }
  const parent = context.parentURL
  if (parent?.startsWith(buildDir.href) && !/^(\.|\/|node:|file:|data:)/.test(specifier)) {
    const name = parent.slice(buildDir.href.length).split('/')[0]
    return next(specifier, { ...context, parentURL: new URL(`${name}/package.json`, packagesDir).href })
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  // A copy of the build outside bench/ has no package.json saying "type": "module" above it.
  if (url.startsWith(buildDir.href) && url.endsWith('.js')) return next(url, { ...context, format: 'module' })
  return next(url, context)
}
