import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const child = fileURLToPath(new URL('./test-child.ts', import.meta.url))

/** Starts test-child.ts in a new Node process (TypeScript through tsx, sibling packages from source). */
export function spawnChild(task: object, options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--conditions=@sess/source', '--import', 'tsx', child, JSON.stringify(task)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  })
}

/** Runs a child to completion; resolves with its stdout, rejects with its stderr when it fails. */
export function runChild(task: object, options: SpawnOptions = {}): Promise<string> {
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
