import { builtinModules } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'

/** The worker's entry. */
export const WORKER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'worker.ts')

/** Node's built-in modules, bare (`crypto`) and prefixed (`node:crypto`): none may reach a worker bundle. */
const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)])

/** A bundled worker: its code, and every module specifier its sources import (from esbuild's metafile). */
export interface WorkerBundle {
  code: string
  imports: string[]
}

/**
 * Bundles `entry` the way a worker is deployed: ESM, `platform: 'neutral'` (no Node built-ins are known,
 * so `import 'crypto'` or `'node:crypto'` cannot resolve and the build fails), the export conditions
 * workerd tooling uses (`workerd`, `worker`, `browser`) and the packages' published builds (`dist/`, as
 * users get them). Rejects when the build fails or when any Node built-in is imported anyway.
 */
export async function bundleWorker(entry = WORKER_ENTRY): Promise<WorkerBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['browser', 'module', 'main'],
    metafile: true,
    logLevel: 'silent',
  })
  const imports = importsOf(result.metafile)
  const node = imports.filter((specifier) => NODE_BUILTINS.has(specifier))
  if (node.length > 0) throw new Error(`the worker bundle imports Node built-ins: ${node.join(', ')}`)
  return { code: result.outputFiles[0]!.text, imports }
}

function importsOf(metafile: Metafile): string[] {
  const all = new Set<string>()
  for (const input of Object.values(metafile.inputs)) for (const item of input.imports) all.add(item.original ?? item.path)
  return [...all]
}
