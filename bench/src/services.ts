import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** A Redis for the bench: its own `redis-server` (so INFO commandstats counts only the bench) or the shared one. */
export interface BenchRedis {
  url: string
  /** `true` when this run started its own server (command counts are then exact). */
  private: boolean
  /** Calls per command since the last reset, INFO and CONFIG excluded. */
  commandStats(): Promise<Record<string, number>>
  close(): Promise<void>
}

export async function startRedis(sharedUrl: string): Promise<BenchRedis> {
  const { createClient } = await import('redis')
  let child: ChildProcess | undefined
  let url = sharedUrl
  if (!spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    const port = await freePort()
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''], {
      stdio: 'ignore',
    })
    url = `redis://127.0.0.1:${port}`
  }
  const client = createClient({ url, socket: { reconnectStrategy: (n) => (n > 50 ? new Error('redis not reachable') : 100) } })
  client.on('error', () => {})
  await client.connect()
  await client.ping()
  return {
    url,
    private: child !== undefined,
    async commandStats() {
      const text = await client.info('commandstats')
      const out: Record<string, number> = {}
      for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
        if (m[1] === 'info' || m[1] === 'config|resetstat' || m[1] === 'ping') continue
        out[m[1]!] = Number(m[2])
      }
      return out
    },
    async close() {
      await client.quit().catch(() => {})
      if (child?.pid) child.kill('SIGTERM')
    },
  }
}

/** Whether PostgreSQL answers at `url`; the error message otherwise. */
export async function checkPostgres(url: string): Promise<string | null> {
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => {})
  }
}
