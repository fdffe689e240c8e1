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

/** Host busy % and steal % between two readings. */
export function hostUsage(a: CpuTimes | undefined, b: CpuTimes | undefined): { busyPct: number; stealPct: number } | undefined {
  if (!a || !b) return undefined
  const total = b.total - a.total
  if (total <= 0) return undefined
  return { busyPct: (100 * (b.busy - a.busy)) / total, stealPct: (100 * (b.steal - a.steal)) / total }
}

/** What the report says about the machine. */
export function machine(): Record<string, unknown> {
  const c = cpus()
  return { cpus: c.length, model: c[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}`, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) }
}
