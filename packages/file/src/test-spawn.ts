import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const child = fileURLToPath(new URL('./test-child.ts', import.meta.url))

/** How to start the child. */
export interface ChildOptions extends SpawnOptions {
  /** Run under `ulimit -f <blocks>` (512-byte blocks): larger writes fail with EFBIG. */
  fileSizeLimitBlocks?: number
}

/** Starts test-child.ts in a new Node process (TypeScript through tsx, sibling packages from source). */
export function spawnChild(task: object, options: ChildOptions = {}): ChildProcess {
  const { fileSizeLimitBlocks, ...spawnOptions } = options
  const args = ['--conditions=@sess/source', '--import', 'tsx', child, JSON.stringify(task)]
  const [command, argv] =
    fileSizeLimitBlocks === undefined
      ? [process.execPath, args]
      : ['/bin/sh', ['-c', `ulimit -f ${fileSizeLimitBlocks} && exec "$0" "$@"`, process.execPath, ...args]]
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions })
}

/** Runs a child to completion; resolves with its stdout, rejects with its stderr when it fails. */
export function runChild(task: object, options: ChildOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawnChild(task, options)
    let out = ''
    let err = ''
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    proc.on('error', reject)
    proc.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}: ${err}`))))
  })
}

/** The pid of a process that has exited (and been reaped): nobody owns it now. */
export function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    proc.on('error', reject)
    proc.on('exit', () => resolve(proc.pid!))
  })
}
