import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The demo's directory (where `.next` is). */
export const DEMO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Next's CLI, run with this Node (no npx, no shell: the PID is the server's). */
export const NEXT_BIN = createRequire(import.meta.url).resolve('next/dist/bin/next')

/** A `next start` of the built demo. */
export interface RunningNext {
  url: string
  pid: number
  /** Stops the server by its PID (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  close(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(force)
      done()
    })
    child.kill('SIGTERM')
  })
}

/**
 * Starts `next start` on 127.0.0.1 (a free port) with `env` added, and resolves once it answers HTTP
 * (at most 60 s, polling every 100 ms). Its output is kept and shown if it does not come up.
 */
export async function startNext(env: Record<string, string> = {}): Promise<RunningNext> {
  const port = await freePort()
  const child = spawn(process.execPath, [NEXT_BIN, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: DEMO_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk))
  const url = `http://127.0.0.1:${port}`
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`)
    const up = await fetch(`${url}/api/noop`).then(
      (response) => response.ok,
      () => false,
    )
    if (up) return { url, pid: child.pid!, close: () => stop(child) }
    await new Promise((wait) => setTimeout(wait, 100))
  }
  await stop(child)
  throw new Error(`next start did not answer within 60 s:\n${output}`)
}
