import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { sqliteEngine } from './index.js'
import { tempDir } from './test-support.js'

// One process (tsx as a loader, not its CLI, which would run the script in a grandchild that SIGKILL misses).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href
const writer = fileURLToPath(new URL('./test-crash-writer.ts', import.meta.url))
const ROUNDS = 6

/** Runs the writer until it has acknowledged at least `acks` saves, SIGKILLs it and returns the last acknowledged version per session. */
function killAfter(path: string, acks: number): Promise<Map<number, number>> {
  const child = spawn(process.execPath, ['--conditions=@sess/source', '--import', tsxLoader, writer, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const acked = new Map<number, number>()
  let seen = 0
  let buffer = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the writer acknowledged only ${seen} saves in 60 s`))
    }, 60_000)
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        const m = /^ack (\d) (\d+)$/.exec(line)
        if (!m) continue
        acked.set(Number(m[1]), Number(m[2]))
        if (++seen === acks) child.kill('SIGKILL')
      }
    })
    // 'close', not 'exit': the acknowledgements still in the pipe when the kill landed count too.
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      if (signal === 'SIGKILL') resolve(acked)
      else reject(new Error(`the writer exited with ${code}`))
    })
  })
}

describe('F8: sqlite under SIGKILL', () => {
  it(`a writer killed with SIGKILL mid-loop (${ROUNDS} rounds) loses no acknowledged save; integrity_check stays ok`, async () => {
    const path = join(tempDir(), 'crash.sqlite3')
    const last = new Map<number, number>()
    for (let round = 0; round < ROUNDS; round++) {
      const acked = await killAfter(path, 50 + Math.floor(Math.random() * 400))
      for (const [i, v] of acked) last.set(i, v)
      const db = new Database(path)
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
      } finally {
        db.close()
      }
      const engine = sqliteEngine({ path })
      try {
        for (const [i, version] of last) {
          const record = await engine.read(`crash${i}`.padEnd(32, 'x'), new Date(0))
          expect(record, `session ${i}`).not.toBeNull()
          // At least the acknowledged version: nothing acknowledged is lost. It may be further ahead: saves that
          // committed after their ack was queued on the child's stdout, which SIGKILL drops (pipe writes are async).
          expect(record!.version - version, `session ${i}`).toBeGreaterThanOrEqual(0)
          expect(JSON.parse(record!.payload).v).toBe(record!.version)
        }
      } finally {
        await engine.dispose()
      }
    }
    expect(last.size).toBe(5)
  }, 180_000)
})
