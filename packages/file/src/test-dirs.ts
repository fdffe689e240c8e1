import type { SessionEvent } from '@sess/core'
import type { SessionRecord } from '@sess/core/engine'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished } from 'vitest'

/** A fresh directory for one test, removed when it finishes. */
export function tempRoot(label = 'test'): string {
  const root = mkdtempSync(join(tmpdir(), `sess-file-${label}-`))
  onTestFinished(() => rmSync(root, { recursive: true, force: true }))
  return root
}

/** Every path under `root` with its size and modification time, for "nothing was touched" checks. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      const info = statSync(path)
      out[path.slice(root.length)] = `${entry.isDirectory() ? 'dir' : 'file'} ${info.size} ${info.mtimeMs}`
      if (entry.isDirectory()) walk(path)
    }
  }
  walk(root)
  return out
}

/** Collects the events an engine reports. */
export function events(): { list: SessionEvent[]; onEvent: (event: SessionEvent) => void } {
  const list: SessionEvent[] = []
  return { list, onEvent: (event) => list.push(event) }
}

export const now = new Date(Date.UTC(2030, 0, 1))
export const later = new Date(Date.UTC(2030, 0, 2))

/** A record for tests. */
export function rec(payload = '{"n":1}', version = 1, expiresAt = later): SessionRecord {
  return { payload, expiresAt, version }
}

/** The SHA-256 (hex) of a session key, computed independently of the engine: what its file is named after. */
export function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
