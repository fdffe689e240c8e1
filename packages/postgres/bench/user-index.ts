/**
 * Micro-benchmark: what the user index costs @sess/postgres, on the local PostgreSQL (database `test`). Each pair
 * runs the same statements for anonymous sessions (user_id NULL: no entry in the partial index) and for signed-in
 * ones (an index entry to write), 20 callers at once on a pool of 10, in alternating rounds, in a throwaway table
 * holding 5 000 anonymous and 5 000 signed-in sessions (500 users × 10); then listUser and destroyUser of a
 * 10-session user, one at a time. Prints ops/s; asserts nothing.
 *
 *   cd packages/postgres && npx tsx --conditions=@sess/source bench/user-index.ts [rounds] [ms per round]
 */
import { generateSessionKey, type SessionRecord } from '@sess/core/engine'
import pg from 'pg'
import { postgresEngine } from '../src/index.js'

const rounds = Number(process.argv[2] ?? 5)
const roundMs = Number(process.argv[3] ?? 1000)
const LANES = 20
const USERS = 500
const PER_USER = 10
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', max: 10 })
const table = `sess_bench_user_${process.pid}`
const engine = postgresEngine({ pool, table })
const now = new Date()
const expiresAt = new Date(now.getTime() + 14 * 86_400_000)
const payload = JSON.stringify({ d: { user: 'ada', cart: ['book', 'pen', 'lamp'], csrf: 'x'.repeat(64) }, c: 1, u: { id: 'user0000' } })

let userCursor = 0
const nextUser = () => `user${String(userCursor++ % USERS).padStart(4, '0')}`
const anonymous = (): SessionRecord => ({ payload, expiresAt, version: 1 })
// Core derives the handle from the key (sessionHandle) whether or not the engine indexes it: a stand-in of the same
// length keeps that cost out of the engine's numbers.
const signedIn = (key: string, userId = nextUser()): SessionRecord => ({ payload, expiresAt, version: 1, userId, handle: key.slice(0, 16) })

type Op = (i: number) => Promise<unknown>

async function opsPerSecond(op: Op, ms: number): Promise<number> {
  let count = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (performance.now() - started < ms) await op(count++)
    }),
  )
  return (count * 1000) / (performance.now() - started)
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(7)

try {
  const anonKeys: { key: string; version: number }[] = []
  const userKeys: { key: string; version: number; userId: string }[] = []
  for (let i = 0; i < USERS * PER_USER; i++) {
    const a = generateSessionKey()
    const u = generateSessionKey()
    const userId = nextUser()
    await Promise.all([engine.create(a, anonymous()), engine.create(u, signedIn(u, userId))])
    anonKeys.push({ key: a, version: 1 })
    userKeys.push({ key: u, version: 1, userId })
  }
  // Lanes never share a session: lane-strided cursors over disjoint slots.
  const ops: Record<string, [anonymous: Op, signedIn: Op]> = {
    create: [
      () => engine.create(generateSessionKey(), anonymous()),
      () => {
        const key = generateSessionKey()
        return engine.create(key, signedIn(key))
      },
    ],
    'versioned update (same user)': [
      async (i) => {
        const s = anonKeys[i % anonKeys.length]!
        const v = s.version++
        await engine.update(s.key, { payload, expiresAt, version: v + 1 }, v)
      },
      async (i) => {
        const s = userKeys[i % userKeys.length]!
        const v = s.version++
        await engine.update(s.key, { ...signedIn(s.key, s.userId), version: v + 1 }, v)
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
  }
  console.log(
    `@sess/postgres, the user index's cost: ${USERS * PER_USER} anonymous + ${USERS * PER_USER} signed-in sessions (${USERS} users), ${LANES} concurrent on a pool of 10, median of ${rounds} × ${roundMs} ms`,
  )
  for (const [name, [anon, user]] of Object.entries(ops)) {
    await opsPerSecond(anon, 200)
    await opsPerSecond(user, 200)
    const a: number[] = []
    const u: number[] = []
    for (let round = 0; round < rounds; round++) {
      // Alternate the order so drift on a shared machine hits both sides alike.
      const anonFirst = round % 2 === 0
      if (!anonFirst) u.push(await opsPerSecond(user, roundMs))
      a.push(await opsPerSecond(anon, roundMs))
      if (anonFirst) u.push(await opsPerSecond(user, roundMs))
    }
    const ma = median(a)
    const mu = median(u)
    console.log(`  ${name.padEnd(62)} anonymous ${fmt(ma)} ops/s   signed-in ${fmt(mu)} ops/s   ×${(ma / mu).toFixed(2)} time`)
  }

  const target = 'lister'
  for (let j = 0; j < PER_USER; j++) {
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, target))
  }
  const list: number[] = []
  for (let i = 0; i < 200; i++) {
    const started = performance.now()
    const found = await engine.listUser(target, now)
    list.push(performance.now() - started)
    if (found.length !== PER_USER) throw new Error(`listUser found ${found.length}`)
  }
  console.log(`  listUser of a user with ${PER_USER} sessions, one at a time: ${(median(list) * 1000).toFixed(0)} µs`)
  const destroyTimes: number[] = []
  for (let i = 0; i < 200; i++) {
    const userId = `victim${i}`
    await Promise.all(
      Array.from({ length: PER_USER }, () => {
        const key = generateSessionKey()
        return engine.create(key, signedIn(key, userId))
      }),
    )
    const started = performance.now()
    const removed = await engine.destroyUser(userId)
    destroyTimes.push(performance.now() - started)
    if (removed !== PER_USER) throw new Error(`destroyUser removed ${removed}`)
  }
  console.log(
    `  destroyUser of a user with ${PER_USER} sessions (one DELETE), one at a time: ${(median(destroyTimes) * 1000).toFixed(0)} µs`,
  )
  const stats = await engine.stats(now)
  console.log(`  stats: ${stats.sessions} sessions, ${stats.signedIn} signed in, ${stats.bytes} bytes (the live rows as stored)`)
} finally {
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.end()
}
