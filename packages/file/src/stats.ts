import type { EngineStats } from '@sess/core/engine'
import type { Dir } from 'node:fs'
import { readFileSync } from 'node:fs'
import { opendir } from 'node:fs/promises'
import { join } from 'node:path'
import type { SessionFiles } from './files.js'
import { errorCode } from './fs-errors.js'
import { DIGEST } from './index-format.js'
import { decodeRecord, isRecord } from './record.js'
import type { UserIndex } from './user-index.js'

/**
 * Reads every session file (entry by entry, never the whole listing in memory) and counts the live ones
 * (`expiresAt > now`), their earliest and latest expiry and those naming a user. `bytes` is what the engine's
 * files take: every session file (live, or expired and not yet purged) plus the user index files.
 */
export async function directoryStats(files: SessionFiles, index: UserIndex, now: Date): Promise<EngineStats> {
  let sessions = 0
  let signedIn = 0
  let bytes = 0
  let earliest = Number.POSITIVE_INFINITY
  let latest = Number.NEGATIVE_INFINITY
  for await (const name of names(files.dir)) {
    const rest = name.startsWith(files.prefix) ? name.slice(files.prefix.length) : ''
    if (!DIGEST.test(rest)) continue
    const content = readIfPresent(join(files.dir, name))
    if (content === null) continue
    bytes += content.length
    const record = decodeRecord(content.toString('utf8'))
    if (!isRecord(record) || record.expiresAt <= now) continue
    sessions++
    if (record.userId !== undefined) signedIn++
    earliest = Math.min(earliest, record.expiresAt.getTime())
    latest = Math.max(latest, record.expiresAt.getTime())
  }
  for await (const name of names(index.dir)) {
    if (DIGEST.test(name)) bytes += readIfPresent(join(index.dir, name))?.length ?? 0
  }
  return {
    sessions,
    earliestExpiry: sessions > 0 ? new Date(earliest) : null,
    latestExpiry: sessions > 0 ? new Date(latest) : null,
    bytes,
    signedIn,
  }
}

async function* names(path: string): AsyncGenerator<string> {
  let dir: Dir
  try {
    dir = await opendir(path)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return
    throw error
  }
  for await (const entry of dir) yield entry.name
}

function readIfPresent(path: string): Buffer | null {
  try {
    return readFileSync(path)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null
    throw error
  }
}
