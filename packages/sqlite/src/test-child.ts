import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

/** tsx's command-line entry (a devDependency), to run TypeScript in a child process. */
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')
const script = fileURLToPath(new URL('./test-user-child.ts', import.meta.url))

/** A running `test-user-child.ts`: send it one command, get its one-line answer. */
export interface Child {
  /** Resolves with the line the child answers to `command` (commands are answered in order). */
  ask(command: string): Promise<string>
  /** Ends its stdin and resolves with its exit code. */
  close(): Promise<number | null>
}

/** Starts `test-user-child.ts` on `path` and resolves once it printed `ready`; killed when the test finishes. */
export async function startChild(path: string): Promise<Child> {
  const child = spawn(process.execPath, [tsxCli, '--conditions=@sess/source', script, path], { stdio: ['pipe', 'pipe', 'inherit'] })
  onTestFinished(() => void child.kill())
  const waiting: ((line: string) => void)[] = []
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve))
  let buffer = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop()!
    for (const line of lines) waiting.shift()?.(line)
  })
  const next = () =>
    new Promise<string>((resolve, reject) => {
      waiting.push(resolve)
      void exit.then((code) => reject(new Error(`the child exited (${code}) before answering`)))
    })
  const ready = await next()
  if (ready !== 'ready') throw new Error(`the child said ${ready}`)
  return {
    ask(command) {
      const answer = next()
      child.stdin.write(`${command}\n`)
      return answer
    },
    close() {
      child.stdin.end()
      return exit
    },
  }
}
