import { isShared, type Scenario } from './cli.js'
import type { EngineSummary } from './engine-runner.js'
import type { ServerCase } from './cases/types.js'
import type { CaseSummary } from './summary.js'
import type { TargetCheck } from './targets.js'

const int = (x: number | undefined) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-US'))
const fix = (x: number | undefined, d: number) => (x === undefined ? '–' : x.toFixed(d))

/** A markdown table (also readable on a terminal). */
export function table(head: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const a = align ?? head.map((_, i) => (i === 0 ? 'l' : 'r'))
  return [
    `| ${head.join(' | ')} |`,
    `|${a.map((x) => (x === 'l' ? '---' : '--:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

/** One table per framework group: per scenario req/s, ratio to bare (min–max over rounds), p99, server CPU µs/request (+ over bare). */
export function httpTables(summaries: CaseSummary[], cases: ServerCase[], scenarios: Scenario[], skipped: Map<string, string>): string {
  const parts: string[] = []
  const own = scenarios.filter((s) => !isShared(s))
  const shared = scenarios.filter(isShared)
  for (const group of ['express', 'koa', 'hono', 'fastify']) {
    const groupCases = cases.filter((c) => c.group === group)
    if (!groupCases.some((c) => summaries.some((s) => s.caseId === c.id))) continue
    if (own.length > 0) parts.push(`### ${group} — a session per connection\n\n${groupTable(summaries, groupCases, own, skipped)}`)
    if (shared.length > 0)
      parts.push(`### ${group} — all connections share one session\n\n${groupTable(summaries, groupCases, shared, skipped)}`)
  }
  return parts.join('\n\n')
}

function groupTable(summaries: CaseSummary[], groupCases: ServerCase[], scenarios: Scenario[], skipped: Map<string, string>): string {
  {
    const head = ['case', ...scenarios.flatMap((s) => [`${s} req/s`, `${s} ratio`, `${s} p99 ms`, `${s} µs/req (+session)`])]
    const rows: string[][] = []
    for (const c of groupCases) {
      const skip = skipped.get(c.id)
      if (skip && !summaries.some((s) => s.caseId === c.id)) {
        rows.push([`${c.label} — *skipped: ${skip.replace(/\|/g, '/')}*`, ...scenarios.flatMap(() => ['', '', '', ''])])
        continue
      }
      const row = [c.kind === 'bare' ? `**${c.label}**` : c.label]
      for (const scenario of scenarios) {
        const s = summaries.find((x) => x.caseId === c.id && x.scenario === scenario)
        if (!s) {
          row.push('', '', '', '')
          continue
        }
        const ratio =
          c.kind === 'bare'
            ? '1.00'
            : `${fix(s.ratio, 2)}${s.ratioRange && s.rounds > 1 ? ` (${fix(s.ratioRange[0], 2)}–${fix(s.ratioRange[1], 2)})` : ''}`
        const cpu =
          c.kind === 'bare'
            ? fix(s.cpuUsPerReq, 0)
            : `${fix(s.cpuUsPerReq, 0)} (${s.overheadUs === undefined ? '–' : `${s.overheadUs >= 0 ? '+' : ''}${s.overheadUs.toFixed(0)}`})`
        row.push(int(s.rps), ratio + (s.errors > 0 ? ` ⚠${s.errors} errors` : ''), fix(s.p99Ms, 1), cpu)
      }
      rows.push(row)
    }
    return table(head, rows)
  }
}

/** Redis commands per request: server-side (INFO commandstats, script-internal calls included) and the engine's own round trips. */
export function redisTable(summaries: CaseSummary[]): string {
  const rows = summaries
    .filter((s) => s.redisPerReq || s.countersPerReq)
    .map((s) => [
      s.caseId,
      s.scenario,
      Object.entries(s.redisPerReq ?? {})
        .filter(([, v]) => v > 0)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ') || '0',
      s.countersPerReq?.roundTrips === undefined ? '–' : s.countersPerReq.roundTrips.toFixed(2),
    ])
  return rows.length === 0
    ? ''
    : table(['case', 'scenario', 'Redis commands / request (server, INFO commandstats)', 'round trips / request (client)'], rows, [
        'l',
        'l',
        'l',
        'r',
      ])
}

export function engineTable(engines: EngineSummary[]): string {
  if (engines.length === 0) return ''
  return table(
    ['operation (one at a time)', 'µs/op', 'ops/s', 'µs/op min–max over rounds'],
    engines.map((e) => [
      e.op,
      e.usPerOp.toFixed(2),
      int(e.opsPerSec),
      e.rounds > 1 ? `${e.usRange[0].toFixed(2)}–${e.usRange[1].toFixed(2)}` : '',
    ]),
  )
}

export function targetTable(checks: TargetCheck[]): string {
  return table(
    ['target', 'measured', 'met'],
    checks.map((c) => [c.target, c.measured, c.met === undefined ? '–' : c.met ? 'yes' : '**no**']),
    ['l', 'r', 'l'],
  )
}
