import { SessionError, type EngineStats } from '@sess/core/engine'
import type { Names } from './names.js'
import { NAME } from './options.js'
import type { Runner } from './runner.js'
import { STAT } from './scripts.js'

/** Keys asked of `SCAN` per call (a hint: Redis returns about this many per round trip). */
export const SCAN_COUNT = 500
/** An upper bound on `SCAN` round trips per master (5 × 10⁸ keys at the default count), so the loop always ends. */
const MAX_SCAN_ROUNDS = 1_000_000

/** `*`, `?`, `[`, `]` and `\` in a glob are escaped so that `MATCH` takes the prefix literally. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/**
 * Counts the live sessions under the prefix: `SCAN … MATCH prefix* COUNT 500` on every master (a cluster's masters,
 * or the one server), then one script per session key reading its header and `MEMORY USAGE` (the payload is never
 * sent). Costs about `1 + keys / 500` SCAN round trips per master and one command per key: an operator's call.
 */
export async function engineStats(r: Runner, named: Names, prefix: string, now: Date): Promise<EngineStats> {
  const at = now.getTime()
  if (!Number.isSafeInteger(at)) throw new SessionError('DATA', NAME, 'now is not a valid date')
  const stats: EngineStats = { sessions: 0, earliestExpiry: null, latestExpiry: null, bytes: 0, signedIn: 0 }
  let earliest = Number.POSITIVE_INFINITY
  let latest = Number.NEGATIVE_INFINITY
  const pattern = `${globLiteral(prefix)}*`
  for (const scan of await r.masters(prefix)) {
    let cursor = '0'
    for (let round = 0; round < MAX_SCAN_ROUNDS; round++) {
      const reply = await scan('stats', ['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(SCAN_COUNT)])
      if (!Array.isArray(reply) || !Array.isArray(reply[1]))
        throw new SessionError('ENGINE', NAME, 'stats failed: SCAN gave an unexpected reply')
      cursor = String(reply[0])
      const keys = (reply[1] as unknown[]).map(String).filter((key) => named.isSession(key))
      const rows = await Promise.all(keys.map((key) => r.script('stats', STAT, key, [])))
      for (const row of rows) {
        if (!Array.isArray(row)) continue
        const expiry = Number(row[0])
        if (!(expiry > at)) continue
        stats.sessions++
        stats.signedIn! += Number(row[1]) === 1 ? 1 : 0
        stats.bytes! += Number(row[2]) || 0
        earliest = Math.min(earliest, expiry)
        latest = Math.max(latest, expiry)
      }
      if (cursor === '0') break
    }
  }
  if (stats.sessions > 0) {
    stats.earliestExpiry = new Date(earliest)
    stats.latestExpiry = new Date(latest)
  }
  return stats
}
