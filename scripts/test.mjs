#!/usr/bin/env node
// The whole test suite: services up, then every package's and example's tests in one vitest run,
// closing with a plain "N passed, N failed" line.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureServices } from './services.mjs'

await ensureServices()
const out = join(mkdtempSync(join(tmpdir(), 'sess-test-')), 'results.json')
const args = ['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)]
const result = spawnSync('pnpm', args, { stdio: 'inherit', env: process.env })
let summary = ''
try {
  const json = JSON.parse(readFileSync(out, 'utf8'))
  summary = `${json.numPassedTests} passed, ${json.numFailedTests} failed${json.numPendingTests + json.numTodoTests ? `, ${json.numPendingTests + json.numTodoTests} skipped` : ''}`
  rmSync(out, { force: true })
} catch {
  summary = ''
}
if (summary) console.log(`\n${summary}`)
process.exit(result.status ?? 1)
