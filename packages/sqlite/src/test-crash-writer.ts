/**
 * The child of the crash test: `tsx test-crash-writer.ts <file>` saves versioned updates of 5 sessions in a loop,
 * as fast as it can, and prints `ack <session> <version>` after each save resolved — until it is killed.
 */
import { sqliteEngine } from './index.js'

const engine = sqliteEngine({ path: process.argv[2]! })
const expiresAt = new Date(Date.UTC(2030, 0, 2))
const keys = Array.from({ length: 5 }, (_, i) => `crash${i}`.padEnd(32, 'x'))
const versions = await Promise.all(keys.map(async (key) => (await engine.read(key, new Date(0)))?.version ?? 0))
for (const [i, key] of keys.entries()) {
  if (versions[i] === 0) {
    await engine.create(key, { payload: JSON.stringify({ v: 1, pad: 'p'.repeat(2000) }), expiresAt, version: 1 })
    versions[i] = 1
  }
}
console.log('ready')
for (let n = 0; ; n++) {
  const i = n % keys.length
  const next = versions[i]! + 1
  await engine.update(
    keys[i]!,
    { payload: JSON.stringify({ v: next, pad: 'p'.repeat(2000 + (n % 500)) }), expiresAt, version: next },
    versions[i],
  )
  versions[i] = next
  process.stdout.write(`ack ${i} ${next}\n`)
}
