import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'

const run = promisify(execFile)

/** A throwaway 3-master, 3-replica Redis Cluster on 127.0.0.1 (six redis-server child processes in a temp dir). */
export interface OwnCluster {
  /** The six ports, masters first as `redis-cli --cluster create` assigned them. */
  readonly ports: readonly number[]
  /** `{ host, port }` of every node, for cluster clients' root nodes. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>
  /** Kills every node by PID (SIGKILL), waits for each to exit and removes the temp dir. */
  stop(): Promise<void>
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/** Six consecutive free ports whose cluster-bus ports (+10000) are free too. */
async function freePorts(): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21000 + Math.floor(Math.random() * 9000)
    const ports = Array.from({ length: 6 }, (_, i) => base + i)
    const free = await Promise.all(ports.flatMap((p) => [portFree(p), portFree(p + 10000)]))
    if (free.every(Boolean)) return ports
  }
  throw new Error('no six free consecutive ports for a Redis Cluster')
}

async function clusterState(port: number): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => undefined)
  try {
    await client.connect()
    const info = String(await client.call('CLUSTER', 'INFO'))
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown'
  } catch {
    return 'down'
  } finally {
    client.disconnect()
  }
}

/**
 * Starts six `redis-server --cluster-enabled yes` processes, joins them with
 * `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes` and waits (bounded) until every node reports
 * `cluster_state:ok`. Every wait is bounded; on failure the processes are killed before the error propagates.
 */
export async function startCluster(): Promise<OwnCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sess-redis-cluster-'))
  const ports = await freePorts()
  const children: ChildProcess[] = []
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise((resolve) => child.once('exit', resolve))
        process.kill(child.pid!, 'SIGKILL')
        await exited
      }),
    )
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (const port of ports) {
      children.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '60000',
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
            '--daemonize',
            'no',
          ],
          { stdio: 'ignore' },
        ),
      )
    }
    for (const port of ports) {
      let up = false
      for (let i = 0; i < 200 && !up; i++) {
        up = (await clusterState(port)) !== 'down'
        if (!up) await sleep(25)
      }
      if (!up) throw new Error(`redis-server on ${port} did not answer`)
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], {
      timeout: 60_000,
    })
    for (const port of ports) {
      let state = ''
      for (let i = 0; i < 300 && state !== 'ok'; i++) {
        state = await clusterState(port)
        if (state !== 'ok') await sleep(100)
      }
      if (state !== 'ok') throw new Error(`cluster node ${port} is ${state}, not ok`)
    }
  } catch (error) {
    await stop()
    throw error
  }
  return { ports, nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop }
}

/** One master's view: its node id, address and slot ranges. */
export interface ClusterMaster {
  id: string
  port: number
  slots: Array<[number, number]>
}

/** The masters and the slots each one serves, from `CLUSTER NODES` on `port`. */
export async function clusterMasters(admin: Redis): Promise<ClusterMaster[]> {
  const lines = String(await admin.call('CLUSTER', 'NODES'))
    .trim()
    .split('\n')
  return lines
    .map((line) => line.split(' '))
    .filter((fields) => fields[2]!.split(',').includes('master') && !fields[2]!.includes('fail'))
    .map((fields) => ({
      id: fields[0]!,
      port: Number(/:(\d+)@/.exec(fields[1]!)![1]),
      slots: fields
        .slice(8)
        .filter((s) => !s.startsWith('['))
        .map((s) => {
          const [from, to] = s.split('-').map(Number)
          return [from!, to ?? from!] as [number, number]
        }),
    }))
    .filter((master) => master.slots.length > 0) // right after joining, a replica may still look like a slotless master
}

/** An admin connection to one node (not a cluster client: it sends CLUSTER and MIGRATE where it is told). */
export async function nodeAdmin(port: number): Promise<Redis> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true })
  client.on('error', () => undefined)
  await client.connect()
  return client
}

/**
 * Moves one hash slot from its master to another with the live-resharding protocol (what
 * `redis-cli --cluster reshard` does per slot): IMPORTING on the target, MIGRATING on the source,
 * MIGRATE the keys in batches (clients meanwhile follow ASK redirections), then SETSLOT NODE on every master.
 * `between` runs after each batch, so a test can interleave traffic with the migration.
 */
export async function migrateSlot(
  slot: number,
  from: ClusterMaster,
  to: ClusterMaster,
  masters: readonly ClusterMaster[],
  between: () => Promise<void> = async () => undefined,
): Promise<number> {
  const source = await nodeAdmin(from.port)
  const target = await nodeAdmin(to.port)
  let moved = 0
  try {
    await target.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', from.id)
    await source.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', to.id)
    for (let round = 0; round < 10_000; round++) {
      await between()
      const keys = (await source.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '5')) as string[]
      if (keys.length === 0) break
      await source.call('MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', ...keys)
      moved += keys.length
    }
    await target.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id)
    await source.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id)
    for (const master of masters) {
      if (master.id === from.id || master.id === to.id) continue
      const other = await nodeAdmin(master.port)
      try {
        await other.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', to.id)
      } finally {
        other.disconnect()
      }
    }
  } finally {
    source.disconnect()
    target.disconnect()
  }
  return moved
}
