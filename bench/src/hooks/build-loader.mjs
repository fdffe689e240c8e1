// Node module hooks for `--from build`: `@sess/<name>` resolves to the bench's own build of that package
// (bench/.build/<name>/), and the bare imports inside those files resolve as if from the package's own
// directory (its dependencies). Plain JS so that it needs no loader itself. `SESS_BENCH_BUILD=<dir>` loads another
// copy of the build instead (the paired A/B tool compares two builds that way).
//
// Two builds in one process (the in-process A/B tool): a bench module imported with `?sess-build=<dir>` in its URL
// resolves `@sess/*` into that directory, and passes the tag on to the bench modules it imports, so the cases of one
// tag all use one build. Framework packages (node_modules) are not tagged: both builds share them.
import { existsSync, readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const defaultBuild = process.env.SESS_BENCH_BUILD
  ? pathToFileURL(`${process.env.SESS_BENCH_BUILD.replace(/\/$/, '')}/`)
  : new URL('../../.build/', import.meta.url)
const packagesDir = new URL('../../../packages/', import.meta.url)
const benchSrc = new URL('../', import.meta.url).href
const TAG = /[?&]sess-build=([^&#]+)/
/** Every build directory loaded from so far (URL strings ending in `/`). */
const builds = new Set([defaultBuild.href])

/** The build directory a module URL lies in, or `undefined`. */
function buildOf(url) {
  for (const dir of builds) if (url.startsWith(dir)) return dir
  return undefined
}

/** `@sess/<name>` or `@sess/<name>/<sub>` in the build directory `dir`, or `null` for another specifier. */
function resolveSess(specifier, dir) {
  const buildDir = new URL(dir)
  if (specifier.startsWith('@sess/') && !specifier.slice(6).includes('/')) {
    const pkg = new URL(`${specifier.slice(6)}/`, buildDir)
    // `node.js` is the `node` export condition's entry where a package has one (@sess/signed-cookie).
    for (const entry of ['node.js', 'index.js']) {
      const url = new URL(entry, pkg)
      if (existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true }
    }
    const error = new Error(`Cannot find module '${specifier}': not built (no ${pkg.pathname}index.js)`)
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
  return null
}

export async function resolve(specifier, context, next) {
  const parent = context.parentURL
  const tag = parent === undefined ? null : TAG.exec(parent)
  if (tag !== null) {
    const dir = pathToFileURL(`${decodeURIComponent(tag[1]).replace(/\/$/, '')}/`).href
    builds.add(dir)
    const sess = resolveSess(specifier, dir)
    if (sess !== null) return sess
    const resolved = await next(specifier, context)
    // A bench module imported from a tagged one carries the tag on.
    if (resolved.url.startsWith(benchSrc) && !resolved.url.includes('/node_modules/') && !TAG.test(resolved.url))
      return { ...resolved, url: `${resolved.url}${resolved.url.includes('?') ? '&' : '?'}sess-build=${tag[1]}` }
    return resolved
  }
  // Inside a build, `@sess/*` is that build's own package.
  const dir = parent === undefined ? undefined : buildOf(parent)
  const sess = resolveSess(specifier, dir ?? defaultBuild.href)
  if (sess !== null) return sess
  if (dir !== undefined && !/^(\.|\/|node:|file:|data:)/.test(specifier)) {
    const name = parent.slice(dir.length).split('/')[0]
    return next(specifier, { ...context, parentURL: new URL(`${name}/package.json`, packagesDir).href })
  }
  return next(specifier, context)
}

export async function load(url, context, next) {
  // A copy of the build outside bench/ has no package.json saying "type": "module" above it.
  if (buildOf(url) !== undefined && url.endsWith('.js')) return next(url, { ...context, format: 'module' })
  return next(url, context)
}
