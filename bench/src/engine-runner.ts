import { fork } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { childExecArgv } from './build.js'
import type { Options } from './cli.js'
import type { MicroResult } from './engines/micro.js'
import type { EngineEnv } from './engines/types.js'
import { median, range } from './stats.js'

const benchDir = fileURLToPath(new URL('..', import.meta.url))
const childScript = fileURLToPath(new URL('./engines/child.ts', import.meta.url))

/** The engine micro-benchmarks, each run in its own process per round. */
export const ENGINE_BENCHES = ['core', 'sqlite', 'memory', 'cached-db', 'file', 'signed-cookie', 'redis', 'postgres'] as const

export interface EngineRun extends MicroResult {
  round: number
}

function runChild(name: string, env: EngineEnv, opts: Options): Promise<{ results: MicroResult[]; skip?: string }> {
  const execArgv = childExecArgv(opts.from)
  return new Promise((resolve, reject) => {
    const child = fork(childScript, [name, String(opts.engineBatchMs), JSON.stringify(env)], {
      cwd: benchDir,
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    })
    let out = ''
    child.stdout!.on('data', (d: Buffer) => (out += d))
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop()
      if (!line) return reject(new Error(`engine bench ${name} exited ${code} without a result`))
      resolve(JSON.parse(line) as { results: MicroResult[]; skip?: string })
    })
  })
}

export async function runEngineRound(
  round: number,
  names: readonly string[],
  env: Omit<EngineEnv, 'dataDir'>,
  dataRoot: string,
  opts: Options,
  skipped: Map<string, string>,
  log: (s: string) => void,
): Promise<EngineRun[]> {
  mkdirSync(dataRoot, { recursive: true })
  const out: EngineRun[] = []
  for (const name of names) {
    const dataDir = mkdtempSync(join(dataRoot, `engine-${name}-`))
    try {
      const { results, skip } = await runChild(name, { ...env, dataDir }, opts)
      for (const r of results) {
        out.push({ ...r, round })
        log(
          `  ${r.op.padEnd(52)} ${r.usPerOp.toFixed(2).padStart(9)} µs/op ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(11)} ops/s`,
        )
      }
      if (skip) {
        skipped.set(`engines/${name}`, skip)
        log(`  (${name}: ${skip})`)
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return out
}

export interface EngineSummary {
  bench: string
  op: string
  usPerOp: number
  opsPerSec: number
  usRange: [number, number]
  rounds: number
}

export function summariseEngines(runs: EngineRun[]): EngineSummary[] {
  const byOp = new Map<string, EngineRun[]>()
  for (const r of runs) byOp.set(`${r.bench}\u0000${r.op}`, [...(byOp.get(`${r.bench}\u0000${r.op}`) ?? []), r])
  return [...byOp.values()].map((list) => {
    const us = median(list.map((r) => r.usPerOp))!
    return {
      bench: list[0]!.bench,
      op: list[0]!.op,
      usPerOp: us,
      opsPerSec: 1e6 / us,
      usRange: range(list.map((r) => r.usPerOp))!,
      rounds: list.length,
    }
  })
}
