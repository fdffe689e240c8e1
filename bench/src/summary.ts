import type { Scenario } from './cli.js'
import type { HttpRun } from './http-runner.js'
import { mean, median, range } from './stats.js'

/** One case × scenario, over all rounds. */
export interface CaseSummary {
  group: string
  caseId: string
  scenario: Scenario
  rounds: number
  rps: number | undefined
  /** Median over rounds of req/s ÷ mean(bare just before, bare just after). */
  ratio: number | undefined
  ratioRange: [number, number] | undefined
  p50Ms: number | undefined
  p99Ms: number | undefined
  /** p99 ÷ the neighbouring bare runs' p99. */
  p99Ratio: number | undefined
  cpuUsPerReq: number | undefined
  /** Server CPU per request minus the neighbouring bare runs': the session layer's cost. */
  overheadUs: number | undefined
  /** CPU-based ratio: bare µs/req ÷ case µs/req (steadier than req/s on a busy machine). */
  cpuRatio: number | undefined
  redisPerReq?: Record<string, number>
  countersPerReq?: Record<string, number>
  errors: number
  hostBusyPct: number | undefined
  /** Median % of the machine used by other processes during the runs (noise). */
  otherPct: number | undefined
  stealPct: number | undefined
}

function medianRecord(records: Array<Record<string, number> | undefined>): Record<string, number> | undefined {
  const present = records.filter((r): r is Record<string, number> => r !== undefined)
  if (present.length === 0) return undefined
  const keys = new Set(present.flatMap((r) => Object.keys(r)))
  const out: Record<string, number> = {}
  for (const k of keys) out[k] = median(present.map((r) => r[k] ?? 0))!
  return out
}

/** Summarises the HTTP runs: every number is a median over rounds. */
export function summarise(runs: HttpRun[]): CaseSummary[] {
  const key = (r: HttpRun) => `${r.group}\u0000${r.caseId}\u0000${r.scenario}`
  const groups = new Map<string, HttpRun[]>()
  for (const r of runs) groups.set(key(r), [...(groups.get(key(r)) ?? []), r])
  const bareAt = (r: HttpRun, slot: number) =>
    runs.find(
      (b) => b.round === r.round && b.group === r.group && b.scenario === r.scenario && b.slot === slot && b.caseId.endsWith('-bare'),
    )
  const out: CaseSummary[] = []
  for (const list of groups.values()) {
    const first = list[0]!
    const isBare = first.caseId.endsWith('-bare')
    const perRound = list.map((r) => {
      const neighbours = isBare ? [r] : [bareAt(r, r.slot - 1), bareAt(r, r.slot + 1)].filter((b): b is HttpRun => b !== undefined)
      const bareRps = mean(neighbours.map((b) => b.load.rps))
      const bareCpu = mean(neighbours.map((b) => b.cpuUsPerReq))
      const bareP99 = mean(neighbours.map((b) => b.load.p99Ms))
      return {
        ratio: bareRps ? r.load.rps / bareRps : undefined,
        overhead: bareCpu !== undefined ? r.cpuUsPerReq - bareCpu : undefined,
        cpuRatio: bareCpu !== undefined ? bareCpu / r.cpuUsPerReq : undefined,
        p99Ratio: bareP99 ? r.load.p99Ms / bareP99 : undefined,
      }
    })
    out.push({
      group: first.group,
      caseId: first.caseId,
      scenario: first.scenario,
      rounds: list.length,
      rps: median(list.map((r) => r.load.rps)),
      ratio: median(perRound.map((p) => p.ratio)),
      ratioRange: range(perRound.map((p) => p.ratio)),
      p50Ms: median(list.map((r) => r.load.p50Ms)),
      p99Ms: median(list.map((r) => r.load.p99Ms)),
      p99Ratio: median(perRound.map((p) => p.p99Ratio)),
      cpuUsPerReq: median(list.map((r) => r.cpuUsPerReq)),
      overheadUs: isBare ? undefined : median(perRound.map((p) => p.overhead)),
      cpuRatio: isBare ? undefined : median(perRound.map((p) => p.cpuRatio)),
      ...(list.some((r) => r.redisPerReq) ? { redisPerReq: medianRecord(list.map((r) => r.redisPerReq))! } : {}),
      ...(list.some((r) => r.countersPerReq) ? { countersPerReq: medianRecord(list.map((r) => r.countersPerReq))! } : {}),
      errors: list.reduce((a, r) => a + r.load.errors + r.load.non2xx, 0),
      hostBusyPct: median(list.map((r) => r.host?.busyPct)),
      otherPct: median(list.map((r) => r.host?.otherPct)),
      stealPct: median(list.map((r) => r.host?.stealPct)),
    })
  }
  return out
}
