import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'

/** Host-wide CPU counters from /proc/stat (jiffies), to report how busy the machine was during a run. */
export interface CpuTimes {
  busy: number
  idle: number
  steal: number
  total: number
}

/** Reads /proc/stat's aggregate line; `undefined` where it does not exist (non-Linux). */
export function hostCpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!
    const f = line.trim().split(/\s+/).slice(1).map(Number)
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f
    const idleAll = idle + iowait
    const busy = user + nice + system + irq + softirq
    return { busy, idle: idleAll, steal, total: busy + idleAll + steal }
  } catch {
    return undefined
  }
}

/**
 * CPU time (clock ticks) used by this process's finished children (the load generator once it has exited),
 * from /proc/self/stat's cutime + cstime; `undefined` off Linux.
 */
export function childrenTicks(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[13]) + Number(fields[14])
  } catch {
    return undefined
  }
}

/** Clock ticks per second of /proc/stat and /proc/self/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100

/**
 * The machine's CPU use between two readings, in % of all CPUs: `busyPct` overall, `stealPct` taken by
 * the hypervisor and, when the server's and the load generator's CPU are known, `otherPct`: what
 * everything else on the machine used (the noise of the measurement).
 */
export function hostUsage(
  a: CpuTimes | undefined,
  b: CpuTimes | undefined,
  own?: { serverUs: number; loadgenTicks: number | undefined },
): { busyPct: number; stealPct: number; otherPct?: number } | undefined {
  if (!a || !b) return undefined
  const total = b.total - a.total
  if (total <= 0) return undefined
  const out: { busyPct: number; stealPct: number; otherPct?: number } = {
    busyPct: (100 * (b.busy - a.busy)) / total,
    stealPct: (100 * (b.steal - a.steal)) / total,
  }
  if (own && own.loadgenTicks !== undefined) {
    const ownTicks = (own.serverUs / 1e6) * TICKS_PER_S + own.loadgenTicks
    out.otherPct = Math.max(0, (100 * (b.busy - a.busy - ownTicks)) / total)
  }
  return out
}

/** What the report says about the machine. */
export function machine(): Record<string, unknown> {
  const c = cpus()
  return {
    cpus: c.length,
    model: c[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  }
}
