/**
 * Loading @sess packages that may not exist yet. Other engineers write them while this bench is built,
 * so a case whose package (or export) is missing is skipped with a printed reason instead of failing the run.
 */

/** Thrown by a case that cannot run here; the runner prints the reason and moves on. */
export class Skip extends Error {
  override readonly name = 'Skip'
}

/**
 * Imports `specifier` and returns its `names` exports, or throws {@link Skip} when the package or one of
 * the exports does not exist. Which files are loaded depends on how the process was started: with
 * `--conditions=@sess/source` the packages' `src/`, otherwise their built `dist/`.
 */
export async function importExports<T = any>(specifier: string, names: readonly string[]): Promise<T> {
  let mod: Record<string, unknown>
  try {
    mod = (await import(specifier)) as Record<string, unknown>
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'MODULE_NOT_FOUND') {
      throw new Skip(`${specifier} is not available yet (${firstLine(error)})`)
    }
    throw error
  }
  for (const name of names) {
    if (!(name in mod)) throw new Skip(`${specifier} has no export ${name} yet`)
  }
  return mod as T
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error)
    .split('\n')[0]!
    .slice(0, 160)
}
