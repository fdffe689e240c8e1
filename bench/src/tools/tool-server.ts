/**
 * Starts one server case for the tools (`profile.ts`, `threads.ts`): the runner's server child, loading @sess from
 * bench/.build, with its data in a fresh temporary directory and the services at `BENCH_REDIS_URL`/`BENCH_PG_URL`
 * (default: the local Redis and PostgreSQL).
 */
import { type ChildProcess, fork } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CaseEnv } from '../cases/types.js'

/** A started case: its process, the port it listens on (127.0.0.1) and its data directory. */
export interface ToolServer {
  child: ChildProcess
  port: number
  dir: string
}

/** The Node flags a tool passes to its servers: `FLAGS="--trace-gc --single-threaded-gc"`, split on spaces. */
export function flagsFromEnv(): string[] {
  return process.env.FLAGS ? process.env.FLAGS.split(' ') : []
}

/**
 * What the tools give a case: its data in `dataDir`, the services at `BENCH_REDIS_URL`/`BENCH_PG_URL` (default: the
 * local Redis and PostgreSQL), and the bench's secret.
 */
export function toolEnv(dataDir: string): CaseEnv {
  return {
    dataDir,
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    pgUrl: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
  }
}

/**
 * Forks `src/server.ts` for case `id`, with the Node flags `flags(dir)` returns before the loader flags, and waits
 * until it listens. `prefix` names the temporary directory (`sess-<tool>-`).
 */
export async function startToolServer(id: string, prefix: string, flags: (dir: string) => string[] = () => []): Promise<ToolServer> {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const env = JSON.stringify(toolEnv(dir))
  const child = fork(new URL('../server.ts', import.meta.url).pathname, [id, env], {
    execArgv: [...flags(dir), '--import', 'tsx', '--import', new URL('../hooks/register-build.mjs', import.meta.url).pathname],
  })
  const { port } = await new Promise<{ port: number }>((resolve) => {
    const f = (m: { type: string; port: number }) => {
      if (m.type === 'ready' || m.type === 'error') {
        child.off('message', f)
        resolve(m)
      }
    }
    child.on('message', f)
  })
  return { child, port, dir }
}
