import { basename } from 'node:path'
import { type Invocation, parseInvocation, USAGE } from './args.js'
import { clearExpired, type CommandOutput, destroy, list, stats } from './commands.js'
import { findConfig, loadSessions } from './config.js'
import { CliError, EXIT_CODES, type ExitCode, firstLine, isSessionErrorCode } from './errors.js'
import { guardProcess } from './process-guard.js'
import { assertReachable } from './reach.js'
import type { CliSessions } from './sessions-shape.js'

/** Options of {@link run}. */
export interface RunOptions {
  /** The directory `--config` is relative to and `sess.config.*` is looked for in. Default `process.cwd()`. */
  cwd?: string
  /** Milliseconds `sessions.dispose()` may take before the command gives up waiting. Default 10000. */
  disposeTimeoutMs?: number
}

/** Milliseconds `sessions.dispose()` may take by default (see {@link RunOptions.disposeTimeoutMs}). */
export const DEFAULT_DISPOSE_TIMEOUT_MS = 10_000

/**
 * Runs one `sess` command line (`argv` without `node` and the script) and resolves with its exit code; the bin
 * then exits with it, whatever the config module left open (servers, timers, connections).
 * While it runs, `process.stdout` carries the command's result only (the config module's output goes to stderr),
 * and errors the module raises in the background are reported, not fatal. Every failure is one line on stderr.
 */
export async function run(argv: readonly string[], options: RunOptions = {}): Promise<ExitCode> {
  const io = guardProcess()
  let sessions: CliSessions | undefined
  let code: ExitCode = EXIT_CODES.ok
  try {
    const invocation = parseInvocation(argv)
    if (invocation.command === 'help') {
      await io.out(USAGE)
      return EXIT_CODES.ok
    }
    const cwd = options.cwd ?? process.cwd()
    const path = findConfig(cwd, invocation.config)
    sessions = await loadSessions(path, invocation.config ?? basename(path))
    assertReachable(sessions)
    const output = await execute(sessions, invocation)
    await io.out(`${invocation.json ? JSON.stringify(output.json) : output.text}\n`)
    for (const note of output.notes ?? []) await io.err(`sess: note: ${note}\n`)
  } catch (error) {
    code = exitCode(error)
    await io.err(`sess: ${message(error)}\n${error instanceof CliError && error.usage ? `\n${USAGE}` : ''}`)
  } finally {
    if (sessions) {
      const problem = await disposeWithin(sessions, options.disposeTimeoutMs ?? DEFAULT_DISPOSE_TIMEOUT_MS)
      if (problem) await io.err(`sess: ${problem}\n`)
    }
    io.restore()
  }
  return code
}

function execute(sessions: CliSessions, invocation: Exclude<Invocation, { command: 'help' }>): Promise<CommandOutput> {
  switch (invocation.command) {
    case 'clear-expired':
      return clearExpired(sessions)
    case 'list':
      return list(sessions, invocation.user!)
    case 'destroy':
      return destroy(sessions, invocation.user!, { except: invocation.except, handle: invocation.handle })
    case 'stats':
      return stats(sessions)
  }
}

/**
 * 2 for what the operator can fix in the command or the config — `SessionError('CONFIG')` (the store cannot do it)
 * and `SessionError('DATA')` (core refused the user id or handle given) — and 1 for a store failure.
 */
function exitCode(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode
  return isSessionErrorCode(error, 'CONFIG') || isSessionErrorCode(error, 'DATA') ? EXIT_CODES.usage : EXIT_CODES.failure
}

function message(error: unknown): string {
  return error instanceof CliError ? error.message : firstLine(error)
}

/** Disposes of the store, waiting at most `timeoutMs`; returns what went wrong, if anything. */
async function disposeWithin(sessions: CliSessions, timeoutMs: number): Promise<string | null> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`sessions.dispose() did not finish within ${timeoutMs} ms; exiting anyway`), timeoutMs)
  })
  try {
    return await Promise.race([
      Promise.resolve()
        .then(() => sessions.dispose())
        .then(
          () => null,
          (error: unknown) => `sessions.dispose() failed: ${firstLine(error)}`,
        ),
      timeout,
    ])
  } finally {
    clearTimeout(timer)
  }
}
