/**
 * Load generator child on autocannon (used when wrk is not installed). One autocannon instance, `connections`
 * keep-alive connections; `setupClient` gives each connection its own Cookie header, so each connection is
 * one visitor with its own session. Prints one JSON LoadResult on stdout.
 */
import autocannon from 'autocannon'
import type { LoadResult, LoadSpec } from './types.js'

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec
let next = 0
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.durationS,
  timeout: 10,
  setupClient: (client: { setHeaders(h: Record<string, string>): void }) => {
    if (spec.cookies.length > 0) client.setHeaders({ cookie: spec.cookies[next++ % spec.cookies.length]! })
  },
})
const out: LoadResult = {
  tool: 'autocannon',
  requests: result.requests.total,
  durationS: result.duration,
  rps: result.requests.total / result.duration,
  p50Ms: result.latency.p50,
  p99Ms: result.latency.p99,
  maxMs: result.latency.max,
  errors: result.errors + result.timeouts,
  non2xx: result.non2xx,
}
process.stdout.write(`${JSON.stringify(out)}\n`)
