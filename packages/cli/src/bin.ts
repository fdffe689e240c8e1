#!/usr/bin/env node
/**
 * The `sess` command. It exits with the command's code as soon as the command is done, whatever the app's
 * config module left running (a server, a timer, an open connection).
 */
import { run } from './run.js'

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`sess: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exit(1)
  },
)
