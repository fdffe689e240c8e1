import { spawn, type ChildProcess } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { CookieJar } from '@sess/engine-tests'
import { describe, expect, it, onTestFinished } from 'vitest'
import { freshSpec, removeStorage, type EngineSpec } from './test-engines.js'

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')
const appFile = fileURLToPath(new URL('./test-app.ts', import.meta.url))

/** Starts the guarantee app over `spec` in its own Node process; killed (by PID) when the test ends. */
async function spawnApp(spec: EngineSpec): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, [tsxCli, '--conditions=@sess/source', appFile, JSON.stringify(spec)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  onTestFinished(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app process did not start within 30 s')), 30_000)
    let text = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const line = text.split('\n').find((l) => l.startsWith('{"port"'))
      if (line) {
        clearTimeout(timer)
        resolve((JSON.parse(line) as { port: number }).port)
      }
    })
    child.once('exit', (code) => reject(new Error(`the app process exited with ${code}`)))
  })
  return `http://127.0.0.1:${port}`
}

async function request(base: string, method: string, path: string, jar: CookieJar) {
  const cookie = jar.header()
  const response = await fetch(base + path, { method, headers: cookie ? { cookie } : {} })
  jar.apply(response.headers.getSetCookie())
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

describe.each(['sqlite', 'file', 'redis', 'postgres'] as const)('two app processes on one %s store', (kind) => {
  it('2 × 25 parallel increments of one session through modify end at exactly 50', async () => {
    const spec = freshSpec(kind)
    onTestFinished(() => removeStorage(spec)) // runs after the processes are stopped (hooks run in reverse)
    const [a, b] = await Promise.all([spawnApp(spec), spawnApp(spec)])
    const jar = new CookieJar()
    expect((await request(a, 'POST', '/increment', jar)).json).toEqual({ count: 1 })
    const responses = await Promise.all(Array.from({ length: 49 }, (_, i) => request(i % 2 ? a : b, 'POST', '/increment', jar.clone())))
    expect(responses.map((r) => r.status)).toEqual(Array(49).fill(200))
    expect((await request(b, 'GET', '/data', jar)).json.count).toBe(50)
    expect((await request(a, 'GET', '/data', jar)).json.count).toBe(50)
  })
})
