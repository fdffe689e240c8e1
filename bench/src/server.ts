/**
 * The server child: builds one case, listens on 127.0.0.1 (ephemeral port) and answers the runner over IPC.
 * It measures its own CPU time (process.cpuUsage) and counts requests between `start` and `stop`, so the
 * measurement itself sends nothing over HTTP.
 *
 *   runner → child: { type: 'start' } | { type: 'stop' } | { type: 'exit' }
 *   child → runner: { type: 'ready', port } | { type: 'skip', reason } | { type: 'error', message }
 *                   | { type: 'started' } | { type: 'stopped', cpuUs, requests, elapsedMs, counters, heapMb, rssMb }
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { findCase } from './cases/index.js'
import type { CaseEnv } from './cases/types.js'
import { Skip } from './sess.js'

const send = (message: object): void => {
  process.send!(message)
}

async function main(): Promise<void> {
  const id = process.argv[2] ?? ''
  const env = JSON.parse(process.argv[3] ?? '{}') as CaseEnv
  const found = findCase(id)
  if (!found) throw new Error(`unknown case ${id}`)
  let app: Awaited<ReturnType<typeof found.create>>
  try {
    app = await found.create(env)
  } catch (error) {
    if (error instanceof Skip) {
      send({ type: 'skip', reason: error.message })
      return
    }
    throw error
  }
  let requests = 0
  const server = createServer(app.listener)
  server.on('request', () => {
    requests++
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  let cpu = process.cpuUsage()
  let t0 = performance.now()
  let r0 = 0
  let c0: Record<string, number> = {}
  process.on('message', async (message: { type: string }) => {
    if (message.type === 'start') {
      r0 = requests
      c0 = app.counters?.() ?? {}
      t0 = performance.now()
      cpu = process.cpuUsage()
      send({ type: 'started' })
    } else if (message.type === 'stop') {
      const d = process.cpuUsage(cpu)
      const elapsedMs = performance.now() - t0
      const c1 = app.counters?.() ?? {}
      const counters: Record<string, number> = {}
      for (const [k, v] of Object.entries(c1)) counters[k] = v - (c0[k] ?? 0)
      const mem = process.memoryUsage()
      send({
        type: 'stopped',
        cpuUs: d.user + d.system,
        requests: requests - r0,
        elapsedMs,
        counters,
        heapMb: mem.heapUsed / 2 ** 20,
        rssMb: mem.rss / 2 ** 20,
      })
    } else if (message.type === 'exit') {
      server.closeAllConnections()
      server.close()
      try {
        await app.close?.()
      } finally {
        process.exit(0)
      }
    }
  })
  send({ type: 'ready', port: (server.address() as AddressInfo).port })
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exitCode = 1
  setTimeout(() => process.exit(1), 100)
})
