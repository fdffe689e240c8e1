import { spawn, type ChildProcess } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** A throwaway redis-server child process on its own port (no persistence). */
export interface OwnRedis {
  readonly port: number
  readonly url: string
  /** Starts (or restarts) the server on the same port and waits until it answers PING. */
  start(): Promise<void>
  /** Kills the server (SIGKILL) and waits for the process to exit. */
  kill(): Promise<void>
}

/** A free TCP port from 6390 + random. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 6390 + Math.floor(Math.random() * 2000)
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
    if (free) return port
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let reply = ''
    socket.setTimeout(500, () => socket.destroy())
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => {
      reply += chunk.toString()
      if (reply.includes('\r\n')) socket.end()
    })
    socket.on('close', () => resolve(reply.startsWith('+PONG')))
    socket.on('error', () => undefined)
  })
}

/** Creates an {@link OwnRedis}; call `start()` to run it. */
export async function ownRedis(): Promise<OwnRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        {
          stdio: 'ignore',
        },
      )
      for (let i = 0; i < 200; i++) {
        if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited with ${child.exitCode}`)
        if (await ping(port)) return
        await sleep(25)
      }
      throw new Error(`redis-server on ${port} did not answer`)
    },
    async kill() {
      const c = child
      if (!c || c.exitCode !== null || c.signalCode !== null) return
      const exited = new Promise((resolve) => c.once('exit', resolve))
      c.kill('SIGKILL')
      await exited
    },
  }
}
