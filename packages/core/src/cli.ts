#!/usr/bin/env node
/**
 * `sess-clear-expired <module> [export]`: Django's `clearsessions`. Imports the app's module, takes its
 * `sessions` export (or the named one, or the default), removes expired sessions and prints how many.
 */
import type { Sessions } from './sessions.js'

declare const process: { argv: string[]; cwd(): string; exitCode?: number }

async function main(): Promise<void> {
  const [modulePath, exportName] = process.argv.slice(2)
  if (!modulePath || modulePath === '--help' || modulePath === '-h') {
    console.log('usage: sess-clear-expired <module that exports your sessions> [export name, default "sessions"]')
    if (!modulePath) process.exitCode = 2
    return
  }
  const url = /^[a-z]+:/i.test(modulePath) ? modulePath : new URL(modulePath, `file://${process.cwd()}/`).href
  const mod = (await import(url)) as Record<string, unknown>
  const sessions = (mod[exportName ?? 'sessions'] ?? mod.default) as Sessions | undefined
  if (!sessions || typeof sessions.purgeExpired !== 'function') {
    console.error(`[@sess/core] ${modulePath} has no ${exportName ?? 'sessions'} export made by createSessions()`)
    process.exitCode = 2
    return
  }
  try {
    const removed = await sessions.purgeExpired()
    console.log(`removed ${removed} expired session${removed === 1 ? '' : 's'}`)
  } finally {
    await sessions.dispose()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
