/**
 * Micro-benchmark: what the user index adds to a login and a logout on @sess/memory, at 10 000 live sessions.
 *
 * - engine: the engine calls of a login (create the new key, end the old one, destroy it) and of a logout (destroy),
 *   with records that carry `userId` + `handle` (indexed) against the same records without them;
 * - core: a login request through `createSessions` with `setUser(id, metadata)` against the pre-index way
 *   (`cycleKey()` + `set('user', id)`), and the logout (`flush()`) of each — so the handle's SHA-256, the envelope
 *   fields, the metadata (a user agent and an IP, ≈80 bytes) and the index all count.
 *
 * Prints µs per operation (median of the rounds); asserts nothing.
 *
 *   cd packages/memory && npx tsx --conditions=@sess/source bench/user-index.ts [rounds] [operations per round]
 */
import { createSessions } from '@sess/core'
import { generateSessionKey, sessionHandle, type SessionRecord } from '@sess/core/engine'
import { memoryEngine } from '../src/index.js'

const rounds = Number(process.argv[2] ?? 9)
const perRound = Number(process.argv[3] ?? 5000)
const LIVE = 10_000
const USERS = 1000
const now = new Date(Date.UTC(2030, 0, 1))
const expiresAt = new Date(Date.UTC(2030, 0, 15))
const payload = JSON.stringify({ d: { cart: ['book', 'pen'], theme: 'dark', csrf: 'x'.repeat(64) }, c: 1 })
const ended: SessionRecord = { payload: '{"d":{},"c":1}', expiresAt: now, version: 2 }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const timed = async (n: number, run: (i: number) => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  for (let i = 0; i < n; i++) await run(i)
  return ((performance.now() - start) * 1000) / n
}

/** One round of the engine calls: `perRound` logins, then their logouts. */
async function engineRound(indexed: boolean): Promise<{ login: number; logout: number }> {
  const e = memoryEngine({ max: LIVE * 4, sweepInterval: false })
  for (let i = 0; i < LIVE; i++) {
    const key = generateSessionKey()
    const r: SessionRecord = { payload, expiresAt, version: 1 }
    if (indexed) Object.assign(r, { userId: `user-${i % USERS}`, handle: sessionHandle(key) })
    await e.create(key, r)
  }
  const anonymous = Array.from({ length: perRound }, () => generateSessionKey())
  for (const key of anonymous) await e.create(key, { payload, expiresAt, version: 1 })
  const signedIn = Array.from({ length: perRound }, () => generateSessionKey())
  const records = signedIn.map((key, i): SessionRecord => {
    const r: SessionRecord = { payload, expiresAt, version: 1 }
    return indexed ? { ...r, userId: `user-${i % USERS}`, handle: sessionHandle(key) } : r
  })
  const login = await timed(perRound, async (i) => {
    await e.create(signedIn[i]!, records[i]!)
    await e.update(anonymous[i]!, ended, 1)
    await e.destroy(anonymous[i]!)
  })
  const logout = await timed(perRound, (i) => e.destroy(signedIn[i]!))
  await e.dispose()
  return { login, logout }
}

/** One round through createSessions: `perRound` login requests, then their logout requests. */
async function coreRound(withSetUser: boolean, metadata = true): Promise<{ login: number; logout: number }> {
  const sessions = createSessions({ engine: memoryEngine({ max: LIVE * 4, sweepInterval: false }), now: () => now })
  const cookieOf = async (session: ReturnType<typeof sessions.load>) => {
    await sessions.commit(session, { final: true })
    return `sessionid=${session.key}`
  }
  for (let i = 0; i < LIVE; i++) {
    const s = sessions.load(undefined)
    await s.set('cart', ['book'])
    if (withSetUser) await s.setUser(`user-${i % USERS}`)
    else await s.set('user', `user-${i % USERS}`)
    await cookieOf(s)
  }
  const cookies: string[] = []
  for (let i = 0; i < perRound; i++) {
    const s = sessions.load(undefined)
    await s.set('cart', ['book', 'pen'])
    cookies.push(await cookieOf(s))
  }
  const signedIn: string[] = []
  const login = await timed(perRound, async (i) => {
    const s = sessions.load(cookies[i])
    if (withSetUser)
      await s.setUser(
        `user-${i % USERS}`,
        metadata ? { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', ip: '203.0.113.7' } : undefined,
      )
    else {
      await s.cycleKey()
      await s.set('user', `user-${i % USERS}`)
    }
    signedIn.push(await cookieOf(s))
  })
  const logout = await timed(perRound, async (i) => {
    const s = sessions.load(signedIn[i])
    await s.flush()
    await sessions.commit(s, { final: true })
  })
  await sessions.dispose()
  return { login, logout }
}

const results: Record<string, { login: number[]; logout: number[] }> = {}
const cases: Array<[string, () => Promise<{ login: number; logout: number }>]> = [
  ['engine, anonymous records', () => engineRound(false)],
  ['engine, indexed records', () => engineRound(true)],
  ['core, cycleKey + set(user)', () => coreRound(false)],
  ['core, setUser(id)', () => coreRound(true, false)],
  ['core, setUser(id, metadata)', () => coreRound(true)],
]
for (let round = -1; round < rounds; round++) {
  for (const [name, run] of cases) {
    const r = await run()
    if (round < 0) continue // warm-up
    results[name] ??= { login: [], logout: [] }
    results[name].login.push(r.login)
    results[name].logout.push(r.logout)
  }
}
console.log(`login and logout on @sess/memory, ${LIVE} live sessions of ${USERS} users, median of ${rounds} rounds × ${perRound}`)
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(28)} login ${median(r.login).toFixed(2).padStart(6)} µs   logout ${median(r.logout).toFixed(2).padStart(6)} µs`,
  )
}
