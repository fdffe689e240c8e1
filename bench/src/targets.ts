import type { EngineSummary } from './engine-runner.js'
import type { CaseSummary } from './summary.js'

/** One target from the issues' Bench sections, checked against this run. */
export interface TargetCheck {
  target: string
  measured: string
  /** `undefined` when the run did not measure it (case skipped or not selected). */
  met: boolean | undefined
}

const f2 = (x: number) => x.toFixed(2)

export function checkTargets(http: CaseSummary[], engines: EngineSummary[]): TargetCheck[] {
  const h = (caseId: string, scenario: string) => http.find((s) => s.caseId === caseId && s.scenario === scenario)
  const e = (op: string) => engines.find((s) => s.op === op)
  const out: TargetCheck[] = []

  const ratio = (target: string, caseId: string, scenario: string, min: number) => {
    const s = h(caseId, scenario)
    out.push(
      s?.ratio === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${f2(s.ratio)} ×`, met: s.ratio >= min },
    )
  }
  const ahead = (target: string, ours: string, peer: string) => {
    const a = h(ours, 'hit')
    const b = h(peer, 'hit')
    out.push(
      a?.ratio === undefined || b?.ratio === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${f2(a.ratio)} × vs ${f2(b.ratio)} ×`, met: a.ratio > b.ratio },
    )
  }
  const engineRatio = (target: string, fast: string, slow: string, min: number) => {
    const a = e(fast)
    const b = e(slow)
    out.push(
      !a || !b
        ? { target, measured: 'not measured', met: undefined }
        : {
            target,
            measured: `${f2(a.usPerOp / b.usPerOp)} × (${b.usPerOp.toFixed(2)} vs ${a.usPerOp.toFixed(2)} µs/op)`,
            met: a.usPerOp / b.usPerOp >= min,
          },
    )
  }
  const roundTrips = (target: string, scenario: string, max: number) => {
    const s = h('sess-express-redis', scenario)
    const rt = s?.countersPerReq?.roundTrips ?? (s ? 0 : undefined)
    out.push(
      rt === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${rt.toFixed(2)} round trips/request`, met: rt <= max + 0.005 },
    )
  }

  ratio('express /noop with @sess/memory ≥ 0.97 × bare', 'sess-express-memory', 'noop', 0.97)
  ratio('express /hit with @sess/memory ≥ 0.85 × bare', 'sess-express-memory', 'hit', 0.85)
  {
    const s = h('sess-express-memory', 'hit')
    out.push(
      s?.overheadUs === undefined
        ? { target: '@sess/memory session CPU on /hit ≤ 20 µs/request', measured: 'not measured', met: undefined }
        : {
            target: '@sess/memory session CPU on /hit ≤ 20 µs/request',
            measured: `${s.overheadUs.toFixed(1)} µs`,
            met: s.overheadUs <= 20,
          },
    )
    out.push(
      s?.p99Ratio === undefined
        ? { target: 'express /hit with @sess/memory: p99 ≤ 1.3 × bare p99', measured: 'not measured', met: undefined }
        : { target: 'express /hit with @sess/memory: p99 ≤ 1.3 × bare p99', measured: `${f2(s.p99Ratio)} ×`, met: s.p99Ratio <= 1.3 },
    )
  }
  ratio('express /new with @sess/memory ≥ 0.80 × bare', 'sess-express-memory', 'new', 0.8)
  ratio('express /hit with @sess/sqlite ≥ 0.75 × bare', 'sess-express-sqlite', 'hit', 0.75)
  ratio('express /noop with @sess/sqlite ≥ 0.97 × bare', 'sess-express-sqlite', 'noop', 0.97)
  engineRatio(
    '@sess/sqlite read+update ≥ 0.8 × raw better-sqlite3 (ops/s)',
    'raw better-sqlite3 read+update',
    '@sess/sqlite read+update',
    0.8,
  )
  ratio('express /hit with @sess/file ≥ 0.3 × bare', 'sess-express-file', 'hit', 0.3)
  engineRatio(
    '@sess/cached-db reads within 10 % of @sess/memory reads (ops/s)',
    '@sess/memory read (beside cached-db)',
    '@sess/cached-db (memory over sqlite) read',
    0.9,
  )
  {
    const a = h('sess-express-cached-db', 'read')
    const b = h('sess-express-memory', 'read')
    const target = 'express /read: @sess/cached-db within 10 % of @sess/memory'
    out.push(
      a?.ratio === undefined || b?.ratio === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${f2(a.ratio)} × vs ${f2(b.ratio)} ×`, met: a.ratio >= 0.9 * b.ratio },
    )
  }
  ratio('express /hit with @sess/signed-cookie ≥ 0.6 × bare', 'sess-express-signed-cookie', 'hit', 0.6)
  ratio('express /noop with @sess/signed-cookie ≥ 0.97 × bare', 'sess-express-signed-cookie', 'noop', 0.97)
  ratio('koa /hit with @sess/memory ≥ 0.5 × bare', 'sess-koa-memory', 'hit', 0.5)
  ratio('koa /noop with @sess/memory ≥ 0.97 × bare', 'sess-koa-memory', 'noop', 0.97)
  ratio('hono /hit with @sess/memory ≥ 0.5 × bare', 'sess-hono-memory', 'hit', 0.5)
  ratio('hono /noop with @sess/memory ≥ 0.97 × bare', 'sess-hono-memory', 'noop', 0.97)
  ratio('fastify /noop with @sess/memory ≥ 0.95 × bare', 'sess-fastify-memory', 'noop', 0.95)
  {
    const a = h('sess-fastify-memory', 'hit')
    const b = h('fastify-session-memory', 'hit')
    const target = 'fastify /hit: @sess/memory ≥ 1.5 × @fastify/session (MemoryStore)'
    out.push(
      a?.ratio === undefined || b?.ratio === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${f2(a.ratio / b.ratio)} × (${f2(a.ratio)} × vs ${f2(b.ratio)} × bare)`, met: a.ratio / b.ratio >= 1.5 },
    )
  }
  ahead('@sess/redis ahead of connect-redis on /hit', 'sess-express-redis', 'express-session-redis')
  roundTrips('@sess/redis: a read-only request (/read) = 1 round trip', 'read', 1)
  roundTrips('@sess/redis: a writing request (/hit) ≤ 2 round trips', 'hit', 2)
  roundTrips('@sess/redis: an untouched session (/noop) = 0 round trips', 'noop', 0)
  ahead('@sess/postgres ahead of connect-pg-simple on /hit', 'sess-express-postgres', 'express-session-pg')

  // Issue 15: every connection on one session's cookie.
  const p99 = (target: string, caseId: string, scenario: string, maxMs: number) => {
    const s = h(caseId, scenario)
    out.push(
      s?.p99Ms === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${s.p99Ms.toFixed(1)} ms`, met: s.p99Ms <= maxMs },
    )
  }
  ratio('shared: express /noop with @sess/memory ≥ 0.97 × bare', 'sess-express-memory', 'noop-shared', 0.97)
  ratio('shared: express /hit with @sess/memory ≥ 0.85 × bare', 'sess-express-memory', 'hit-shared', 0.85)
  {
    const s = h('sess-express-memory', 'hit-shared')
    const target = 'shared: @sess/memory session CPU on express /hit ≤ 23 µs/request'
    out.push(
      s?.overheadUs === undefined
        ? { target, measured: 'not measured', met: undefined }
        : { target, measured: `${s.overheadUs.toFixed(1)} µs`, met: s.overheadUs <= 23 },
    )
  }
  ratio('shared: express /hit with @sess/sqlite ≥ 0.75 × bare', 'sess-express-sqlite', 'hit-shared', 0.75)
  ratio('shared: express /hit with @sess/signed-cookie ≥ 0.6 × bare', 'sess-express-signed-cookie', 'hit-shared', 0.6)
  ratio('shared: express /hit with @sess/file ≥ 0.3 × bare', 'sess-express-file', 'hit-shared', 0.3)
  p99('shared: express /hit with @sess/file p99 ≤ 30 ms', 'sess-express-file', 'hit-shared', 30)
  ratio('shared: express /hit with @sess/redis ≥ 0.6 × bare', 'sess-express-redis', 'hit-shared', 0.6)
  p99('shared: express /hit with @sess/redis p99 ≤ 15 ms', 'sess-express-redis', 'hit-shared', 15)
  ratio('shared: express /hit with @sess/postgres ≥ 0.4 × bare', 'sess-express-postgres', 'hit-shared', 0.4)
  p99('shared: express /hit with @sess/postgres p99 ≤ 20 ms', 'sess-express-postgres', 'hit-shared', 20)
  ratio('shared: koa /hit with @sess/memory ≥ 0.65 × bare', 'sess-koa-memory', 'hit-shared', 0.65)
  ratio('shared: koa /noop with @sess/memory ≥ 0.98 × bare', 'sess-koa-memory', 'noop-shared', 0.98)
  ratio('shared: hono /hit with @sess/memory ≥ 0.6 × bare', 'sess-hono-memory', 'hit-shared', 0.6)
  ratio('shared: hono /noop with @sess/memory ≥ 0.97 × bare', 'sess-hono-memory', 'noop-shared', 0.97)
  return out
}
