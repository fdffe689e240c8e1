import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { CookieJar } from '@sess/engine-tests'
import { afterAll, onTestFinished } from 'vitest'
import type { AppConfig } from './test-app.js'

const appFile = fileURLToPath(new URL('./test-app.ts', import.meta.url))

// Every app process still running when the test file ends is killed: hooks registered from inside a
// beforeAll are not reliable, this one is registered while the importing file is collected.
const running = new Set<ChildProcess>()
const kill = (proc: ChildProcess) => {
  if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
}
afterAll(() => {
  for (const proc of running) kill(proc)
})
process.once('exit', () => {
  for (const proc of running) kill(proc)
})

/** A running app process. */
export interface App {
  readonly url: string
  readonly proc: ChildProcess
  /** Everything the process wrote on stderr. */
  stderr(): string
}

/** Starts test-app.ts in a new Node process (TypeScript through tsx, sibling packages from source); killed after the test (`scope: 'test'`) or the file. */
export function startApp(config: AppConfig, scope: 'test' | 'file' = 'test'): Promise<App> {
  const proc = spawn(process.execPath, ['--conditions=@sess/source', '--import', 'tsx', appFile, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(proc)
  proc.once('exit', () => running.delete(proc))
  if (scope === 'test') onTestFinished(() => kill(proc))
  let err = ''
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
  return new Promise((resolve, reject) => {
    let out = ''
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      const line = out.split('\n')[0]
      if (out.includes('\n') && line)
        resolve({ url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}`, proc, stderr: () => err })
    })
    proc.on('exit', (code) => reject(new Error(`app exited with ${code}: ${err}`)))
  })
}

/** One HTTP request with the jar's cookies; the jar takes the response's Set-Cookie. */
export async function call(jar: CookieJar, url: string, method = 'GET'): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {}
  const cookie = jar.header()
  if (cookie) headers.cookie = cookie
  const response = await fetch(url, { method, headers })
  jar.apply(response.headers.getSetCookie())
  return { status: response.status, body: await response.json() }
}

export { CookieJar }
