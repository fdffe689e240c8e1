import { parseArgs } from 'node:util'
import { isSessionHandle } from '@sess/core/engine'
import { CliError, EXIT_CODES } from './errors.js'

/** The subcommands of `sess`. */
export const COMMANDS = ['clear-expired', 'list', 'destroy', 'stats'] as const

/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number]

/** What the command line asks for, checked. */
export type Invocation =
  | { command: 'help' }
  | {
      command: CommandName
      /** `--config PATH`, as given (relative to the working directory). */
      config: string | undefined
      /** `--json`: one JSON document on stdout. */
      json: boolean
      /** `--user ID` (list, destroy). */
      user: string | undefined
      /** `--except HANDLE` (destroy). */
      except: string | undefined
      /** `--handle HANDLE` (destroy). */
      handle: string | undefined
    }

/** The usage text (`sess --help`; after a usage error, on stderr). */
export const USAGE = `usage: sess <command> [options]

commands:
  clear-expired                    remove expired sessions from the store (Django's clearsessions)
  list --user ID                   the user's live sessions: handle, created, last saved, expires, metadata
  destroy --user ID                sign the user out everywhere: remove all of the user's sessions
          [--except HANDLE]          ... but the one with this handle (sign out everywhere else)
          [--handle HANDLE]          ... only the one with this handle (sign out that device)
  stats                            live sessions, signed-in sessions, earliest and latest expiry, bytes

options:
  --config PATH   the module that exports your \`sessions\` (made by createSessions), .ts/.mts/.cts/.js/.mjs/.cjs
                  (default: sess.config.ts, .mts, .js, .mjs or .cjs in the current directory)
  --json          print one JSON document on stdout instead of text
  -h, --help      print this help

exit codes: 0 done, 1 the store failed, 2 bad arguments, a missing or wrong config, or a store this command cannot reach
`

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  user: { type: 'string' },
  except: { type: 'string' },
  handle: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** The options each command takes beyond `--config` and `--json`. */
const COMMAND_OPTIONS: Record<CommandName, readonly ('user' | 'except' | 'handle')[]> = {
  'clear-expired': [],
  list: ['user'],
  destroy: ['user', 'except', 'handle'],
  stats: [],
}

const usage = (message: string) => new CliError(message, EXIT_CODES.usage, { usage: true })

/** The spellings of every option, so a value that starts with `-` is told from the next option. */
const OPTION_WORDS = new Set(['--config', '--json', '--user', '--except', '--handle', '--help', '-h'])

/**
 * `--handle -x…` → `--handle=-x…`. Handles are base64url, so one in 64 starts with `-` (user ids may too), which
 * `parseArgs` would take for an option; a value that is not one of the options' spellings is the option's value.
 */
function joinDashValues(argv: readonly string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const next = argv[i + 1]
    if ((arg === '--user' || arg === '--except' || arg === '--handle') && next?.startsWith('-') && !OPTION_WORDS.has(next)) {
      out.push(`${arg}=${next}`)
      i++
    } else out.push(arg)
  }
  return out
}

/** Parses `argv` (without `node` and the script). Bad arguments → {@link CliError} with the usage text, exit code 2. */
export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>>
  try {
    parsed = parseArgs({ args: joinDashValues(argv), options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    // node:util's messages name the option and say what is wrong with it; the first sentence is enough.
    const message = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error)
    throw usage(message)
  }
  const { values, positionals } = parsed
  if (values.help) return { command: 'help' }
  const [name, ...extra] = positionals
  if (name === undefined) throw usage('no command given')
  if (!(COMMANDS as readonly string[]).includes(name)) throw usage(`unknown command ${JSON.stringify(name)}`)
  const command = name as CommandName
  if (extra.length > 0) throw usage(`${command} takes no argument ${JSON.stringify(extra[0])} (options are --flags)`)
  for (const option of ['user', 'except', 'handle'] as const) {
    if (values[option] !== undefined && !COMMAND_OPTIONS[command].includes(option)) throw usage(`${command} takes no --${option}`)
  }
  for (const option of ['config', 'user', 'except', 'handle'] as const) {
    if (values[option] === '') throw usage(`--${option} needs a value`)
  }
  if ((command === 'list' || command === 'destroy') && values.user === undefined) throw usage(`${command} needs --user ID`)
  for (const option of ['except', 'handle'] as const) {
    const value = values[option]
    if (value !== undefined && !isSessionHandle(value))
      throw usage(
        `--${option} ${JSON.stringify(value)} is not a session handle (16 characters of A-Z a-z 0-9 _ -, as sess list prints them)`,
      )
  }
  if (values.except !== undefined && values.handle !== undefined) throw usage('destroy takes --except HANDLE or --handle HANDLE, not both')
  return {
    command,
    config: values.config,
    json: values.json ?? false,
    user: values.user,
    except: values.except,
    handle: values.handle,
  }
}
