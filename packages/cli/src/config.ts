import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createJiti } from 'jiti'
import { CliError, EXIT_CODES, firstLine, isSessionErrorCode } from './errors.js'
import { type CliSessions, isSessions } from './sessions-shape.js'

/** The file names `sess` looks for in the working directory when no `--config` is given, in this order. */
export const CONFIG_FILES = ['sess.config.ts', 'sess.config.mts', 'sess.config.js', 'sess.config.mjs', 'sess.config.cjs'] as const

/** The config file: `--config PATH` (relative to `cwd`), else the first of {@link CONFIG_FILES} in `cwd`. */
export function findConfig(cwd: string, explicit: string | undefined): string {
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit)
    if (!existsSync(path)) throw new CliError(`config file not found: ${explicit}`, EXIT_CODES.usage)
    if (!statSync(path).isFile()) throw new CliError(`config path is not a file: ${explicit}`, EXIT_CODES.usage)
    return path
  }
  for (const name of CONFIG_FILES) {
    const path = resolve(cwd, name)
    if (existsSync(path)) return path
  }
  throw new CliError(
    `no config file: pass --config PATH, or create sess.config.ts (or .mts, .js, .mjs, .cjs) in ${cwd} exporting your sessions`,
    EXIT_CODES.usage,
  )
}

/**
 * Imports the config module (TypeScript or JavaScript, ESM or CommonJS, through jiti) and returns its `sessions`
 * export — the named one, else the default. Any failure → {@link CliError}: exit code 2 for a file that cannot
 * be loaded or exports no sessions, 1 when the module's own start-up failed on the store (`SessionError('ENGINE')`).
 */
export async function loadSessions(path: string, shown: string): Promise<CliSessions> {
  const jiti = createJiti(pathToFileURL(path).href, { moduleCache: false })
  let mod: unknown
  try {
    mod = await jiti.import(path)
  } catch (error) {
    const code = isSessionErrorCode(error, 'ENGINE') ? EXIT_CODES.failure : EXIT_CODES.usage
    throw new CliError(`cannot load ${shown}: ${loadProblem(error)}`, code)
  }
  const [which, value] = pickExport(mod)
  if (which === null) {
    throw new CliError(
      `${shown} exports no sessions: export const sessions = createSessions({ … }) (or export it as the default)`,
      EXIT_CODES.usage,
    )
  }
  if (!isSessions(value)) throw new CliError(`${which} in ${shown} is not a Sessions object made by createSessions()`, EXIT_CODES.usage)
  return value
}

/**
 * The `sessions` export, else the default export (or its `sessions`: `export default { sessions }`), with how to
 * name it in a message; `[null]` when the module exports neither. `in` asks about the module's real exports
 * (jiti's namespace answers `.default` for every module).
 */
function pickExport(mod: unknown): [which: string | null, value?: unknown] {
  if (typeof mod !== 'object' || mod === null) return [null]
  const exports = mod as Record<string, unknown>
  if ('sessions' in exports) return ['its sessions export', exports.sessions]
  // `module.exports = sessions`: jiti hands back the object itself.
  if (!('default' in exports)) return isSessions(mod) ? ['its module.exports', mod] : [null]
  const fallback = exports.default
  if (typeof fallback === 'object' && fallback !== null && 'sessions' in fallback)
    return ['the sessions of its default export', (fallback as Record<string, unknown>).sessions]
  return ['its default export', fallback]
}

/** The first line of a load failure, with the `file:line:column` a syntax error names further down. */
function loadProblem(error: unknown): string {
  const line = firstLine(error)
  const text = error instanceof Error ? error.message : ''
  const at = text
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .find((l) => /:\d+:\d+\)?$/.test(l))
  return at === undefined ? line : `${line} (at ${at})`
}
