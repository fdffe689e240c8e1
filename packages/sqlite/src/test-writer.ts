/**
 * A second process for the concurrency test: `tsx test-writer.ts <file> <prefix> <count>` opens the file,
 * prints `ready`, waits for a line on stdin (so several writers start together), then creates and updates
 * `count` sessions through its own engine and prints `ok <count>` (or fails with the first error).
 */
import { once } from 'node:events'
import { sqliteEngine } from './index.js'

const [path, prefix, countText] = process.argv.slice(2)
const count = Number(countText)
const engine = sqliteEngine({ path: path! })
const expiresAt = new Date(Date.UTC(2030, 0, 2))
console.log('ready')
await once(process.stdin, 'data')
process.stdin.pause()
try {
  for (let i = 0; i < count; i++) {
    const key = `${prefix}${String(i).padStart(8, '0')}`
    await engine.create(key, { payload: `{"i":${i}}`, expiresAt, version: 1 })
    await engine.update(key, { payload: `{"i":${i},"saved":2}`, expiresAt, version: 2 }, 1)
  }
  console.log(`ok ${count}`)
} finally {
  await engine.dispose()
}
