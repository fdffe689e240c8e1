/**
 * Micro-benchmark: what the user index costs @sess/sqlite. Each pair runs the same statement for an anonymous
 * session (user_id NULL: no entry in the partial index) and for a signed-in one (an index entry to write), on one
 * file (WAL, synchronous NORMAL) holding 10 000 anonymous and 10 000 signed-in sessions (1 000 users × 10), in
 * alternating rounds; then listUser and destroyUser of a 10-session user. Prints µs/op; asserts nothing.
 *
 *   cd packages/sqlite && npx tsx --conditions=@sess/source bench/user-index.ts [rounds] [ms per round]
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateSessionKey, type SessionRecord } from '@sess/core/engine'
import { sqliteEngine } from '../src/index.js'

const rounds = Number(process.argv[2] ?? 7)
const roundMs = Number(process.argv[3] ?? 500)
const USERS = 1000
const PER_USER = 10
const dir = mkdtempSync(join(tmpdir(), 'sess-sqlite-user-bench-'))
const engine = sqliteEngine({ path: join(dir, 'bench.sqlite3') })
const now = new Date()
const expiresAt = new Date(now.getTime() + 14 * 86_400_000)
const payload = JSON.stringify({ d: { user: 'ada', cart: ['book', 'pen', 'lamp'], csrf: 'x'.repeat(64) }, c: 1, u: { id: 'user0000' } })

let userCursor = 0
const nextUser = () => `user${String(userCursor++ % USERS).padStart(4, '0')}`
const anonymous = (): SessionRecord => ({ payload, expiresAt, version: 1 })
// Core derives the handle from the key (sessionHandle, a few µs of SHA-256 in pure JS) whether or not the engine
// indexes it: a stand-in of the same length keeps that cost out of the engine's numbers.
const signedIn = (key: string, userId = nextUser()): SessionRecord => ({ payload, expiresAt, version: 1, userId, handle: key.slice(0, 16) })

/** Keys of the sessions the update rounds cycle through, with their current version and user. */
const anonKeys: { key: string; version: number }[] = []
const userKeys: { key: string; version: number; userId: string }[] = []
for (let i = 0; i < USERS * PER_USER; i++) {
  const a = generateSessionKey()
  await engine.create(a, anonymous())
  anonKeys.push({ key: a, version: 1 })
  const u = generateSessionKey()
  const userId = nextUser()
  await engine.create(u, signedIn(u, userId))
  userKeys.push({ key: u, version: 1, userId })
}

let n = 0
type Op = () => Promise<unknown>
const ops: Record<string, [anonymous: Op, signedIn: Op]> = {
  create: [
    () => engine.create(generateSessionKey(), anonymous()),
    () => {
      const key = generateSessionKey()
      return engine.create(key, signedIn(key))
    },
  ],
  'versioned update (same user)': [
    async () => {
      const s = anonKeys[n++ % anonKeys.length]!
      await engine.update(s.key, { payload, expiresAt, version: s.version + 1 }, s.version)
      s.version++
    },
    async () => {
      const s = userKeys[n++ % userKeys.length]!
      await engine.update(s.key, { ...signedIn(s.key, s.userId), version: s.version + 1 }, s.version)
      s.version++
    },
  ],
  // What core does on setUser (the key is cycled): create under a new key, destroy the old one.
  'key cycle: anonymous → anonymous vs login (anonymous → user)': [
    async () => {
      const old = generateSessionKey()
      await engine.create(old, anonymous())
      await engine.create(generateSessionKey(), anonymous())
      await engine.destroy(old)
    },
    async () => {
      const old = generateSessionKey()
      await engine.create(old, anonymous())
      const key = generateSessionKey()
      await engine.create(key, signedIn(key))
      await engine.destroy(old)
    },
  ],
  'logout: destroy an anonymous vs a signed-in session': [
    async () => {
      const key = generateSessionKey()
      await engine.create(key, anonymous())
      await engine.destroy(key)
    },
    async () => {
      const key = generateSessionKey()
      await engine.create(key, signedIn(key))
      await engine.destroy(key)
    },
  ],
}

async function rate(op: Op, ms: number): Promise<number> {
  let count = 0
  const started = performance.now()
  while (performance.now() - started < ms) {
    for (let i = 0; i < 50; i++) await op()
    count += 50
  }
  return ((performance.now() - started) * 1000) / count // µs per op
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `@sess/sqlite, the user index's cost: ${USERS * PER_USER} anonymous + ${USERS * PER_USER} signed-in sessions (${USERS} users), WAL + synchronous NORMAL, median of ${rounds} × ${roundMs} ms`,
)
for (const [name, [anon, user]] of Object.entries(ops)) {
  await rate(anon, 100)
  await rate(user, 100)
  const a: number[] = []
  const u: number[] = []
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so drift on a shared machine hits both sides alike.
    const anonFirst = round % 2 === 0
    if (!anonFirst) u.push(await rate(user, roundMs))
    a.push(await rate(anon, roundMs))
    if (anonFirst) u.push(await rate(user, roundMs))
  }
  const ma = median(a)
  const mu = median(u)
  console.log(
    `  ${name.padEnd(62)} anonymous ${ma.toFixed(1).padStart(6)} µs/op   signed-in ${mu.toFixed(1).padStart(6)} µs/op   ×${(mu / ma).toFixed(2)}`,
  )
}

// The operator-side calls, on a user with PER_USER sessions.
const target = 'lister'
for (let j = 0; j < PER_USER; j++) {
  const key = generateSessionKey()
  await engine.create(key, signedIn(key, target))
}
const list: number[] = []
for (let round = 0; round < rounds; round++) list.push(await rate(() => engine.listUser(target, now), roundMs / 5))
console.log(`  listUser of a user with ${PER_USER} sessions: ${median(list).toFixed(1)} µs`)
const destroyTimes: number[] = []
for (let i = 0; i < 200; i++) {
  const userId = `victim${i}`
  for (let j = 0; j < PER_USER; j++) {
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, userId))
  }
  const started = performance.now()
  const removed = await engine.destroyUser(userId)
  destroyTimes.push(performance.now() - started)
  if (removed !== PER_USER) throw new Error(`destroyUser removed ${removed}`)
}
console.log(`  destroyUser of a user with ${PER_USER} sessions (one DELETE): ${(median(destroyTimes) * 1000).toFixed(1)} µs`)
const stats = await engine.stats(now)
console.log(`  stats: ${stats.sessions} sessions, ${stats.signedIn} signed in, ${stats.bytes} bytes`)
await engine.dispose()
rmSync(dir, { recursive: true, force: true })
