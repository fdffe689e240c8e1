import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** A fresh temporary directory, removed after the test file. */
export function tempDir(prefix = 'sess-sqlite-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** SHA-256 hex, computed independently of the engine's own helper. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
