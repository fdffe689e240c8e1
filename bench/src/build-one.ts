/**
 * Builds one @sess package the way it is published (its own tsup.config.ts: esbuild, target node20, tree
 * shaking) into bench/.build/<name>/, ESM only, without types. Run with the package directory as cwd.
 */
import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { build, type Options } from 'tsup'

const [outDir = ''] = process.argv.slice(2)
const config = (await import(pathToFileURL(join(process.cwd(), 'tsup.config.ts')).href)).default as Options | Options[]
for (const options of Array.isArray(config) ? config : [config]) {
  await build({ ...options, outDir, format: ['esm'], dts: false, sourcemap: false, clean: false, silent: true })
}
