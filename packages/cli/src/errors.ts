/** The exit codes of `sess`: `0` done, `1` the store failed, `2` the command cannot run as given (usage, config, store). */
export const EXIT_CODES = {
  /** The command ran. */
  ok: 0,
  /** The store failed while the command ran (a driver error, a lost connection): `SessionError('ENGINE')` and the like. */
  failure: 1,
  /** The command cannot run as given: bad arguments, a missing or wrong config file, a store this command cannot reach. */
  usage: 2,
} as const

/** One of {@link EXIT_CODES}. */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]

/**
 * A failure the command reports as one line on stderr (never a stack trace) and an exit code.
 * `usage: true` prints the usage text after the line.
 */
export class CliError extends Error {
  override readonly name = 'CliError'
  /** The process's exit code. */
  readonly exitCode: ExitCode
  /** Print the usage text after the message. */
  readonly usage: boolean

  /**
   * @param message - one line for the operator, without the `sess: ` prefix.
   * @param exitCode - see {@link EXIT_CODES}.
   * @param options - `usage`: print the usage text too.
   */
  constructor(message: string, exitCode: ExitCode, options: { usage?: boolean } = {}) {
    super(message)
    this.exitCode = exitCode
    this.usage = options.usage ?? false
  }
}

/** The first line of an error's message (driver messages may run over several), without a trailing dot. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text
  return line.trim()
}

/** `SessionError` with the given code, from whichever copy of `@sess/core` the config module loaded (no `instanceof`). */
export function isSessionErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && error.name === 'SessionError' && (error as { code?: unknown }).code === code
}
