import { firstLine } from './errors.js'

/** What {@link guardProcess} hands back: the real stdout, stderr, and the way to undo it. */
export interface ProcessGuard {
  /** Writes to the real stdout and resolves once the text is handed to the OS (safe to exit after). */
  out(text: string): Promise<void>
  /** Writes to stderr and resolves once the text is handed to the OS. */
  err(text: string): Promise<void>
  /** Puts `process.stdout.write` back and removes the background-error listeners. */
  restore(): void
}

const flushed = (stream: NodeJS.WriteStream, text: string) =>
  new Promise<void>((resolve) => {
    // A closed pipe (`sess list | head -1`) reports EPIPE to the callback: the output is lost either way.
    stream.write(text, () => resolve())
  })

/**
 * Makes the process safe to run an app's config module in: whatever the module prints goes to stderr (stdout
 * carries the command's result alone, so `--json` output stays one document), and errors the module raises in
 * the background — a server that cannot listen, a client that lost its connection — are reported as one line
 * each instead of ending the process with a stack trace.
 */
export function guardProcess(): ProcessGuard {
  const stdout = process.stdout
  const originalWrite = stdout.write
  const realWrite = originalWrite.bind(stdout) as NodeJS.WriteStream['write']
  stdout.write = ((...args: Parameters<NodeJS.WriteStream['write']>) =>
    (process.stderr.write as (...a: unknown[]) => boolean)(...args)) as NodeJS.WriteStream['write']
  const background = (error: unknown) => {
    process.stderr.write(`sess: ignored an error the config module raised in the background: ${firstLine(error)}\n`)
  }
  // A reader that went away (`sess list | head -1`) makes stdout emit EPIPE: the output is lost, nothing else is wrong.
  const closed = () => undefined
  stdout.on('error', closed)
  process.on('uncaughtException', background)
  process.on('unhandledRejection', background)
  return {
    out: (text) =>
      new Promise<void>((resolve) => {
        realWrite(text, () => resolve())
      }),
    err: (text) => flushed(process.stderr, text),
    restore() {
      stdout.write = originalWrite
      stdout.off('error', closed)
      process.off('uncaughtException', background)
      process.off('unhandledRejection', background)
    },
  }
}
