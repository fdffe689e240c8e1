/**
 * @module @sess/cli
 * The `sess` command for operators (`npx sess --help`): clear expired sessions, list and sign out a user's
 * sessions, and the store's statistics, from the app's own config module. This entry runs it from code.
 */
export { run, type RunOptions, DEFAULT_DISPOSE_TIMEOUT_MS } from './run.js'
export { USAGE, COMMANDS, type CommandName } from './args.js'
export { CONFIG_FILES } from './config.js'
export { EXIT_CODES, type ExitCode } from './errors.js'
