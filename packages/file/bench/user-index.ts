/**
 * What the user index costs: each signed-in operation next to its anonymous twin, in µs/op and in fsyncs
 * (fdatasync of a file + fsync of a directory) per op, counted by wrapping `node:fs`. Operations run one at a
 * time, as core issues them; "login"/"logout" are the three calls core makes when `setUser` cycles the key (create
 * the new key, end the old one with an anonymous record that expires at once, destroy it). Asserts nothing.
 *
 *   cd packages/file && npx tsx --conditions=@sess/source bench/user-index.ts [rounds] [ops per round] [dir]
 */
import { generateSessionKey, sessionHandle, type SessionRecord } from '@sess/core/engine'
import fs, { mkdtempSync, rmSync } from 'node:fs'
import { syncBuiltinESMExports } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileEngine } from '../src/index.js'

const rounds = Number(process.argv[2] ?? 5)
const opsPerRound = Number(process.argv[3] ?? 100)
const root = mkdtempSync(join(process.argv[4] ?? tmpdir(), 'sess-file-user-bench-'))
process.on('exit', () => rmSync(root, { recursive: true, force: true }))

// Count every fsync and fdatasync the engine makes (its named imports see the wrappers after the sync).
const counts = { fsync: 0, fdatasync: 0 }
for (const name of ['fsync', 'fdatasync'] as const) {
  const original = fs[name]
  ;(fs as unknown as Record<string, unknown>)[name] = (...args: Parameters<typeof original>) => {
    counts[name]++
    return (original as (...a: unknown[]) => void)(...args)
  }
}
syncBuiltinESMExports()

const payload = JSON.stringify({ d: { cart: ['book', 'pen', 'lamp'], theme: 'dark', csrf: 'x'.repeat(64) }, c: 1, p: 'x'.repeat(40) })
const now = new Date(Date.UTC(2030, 0, 1))
const expiresAt = new Date(Date.UTC(2030, 0, 15))
const engine = fileEngine({ dir: join(root, 'sessions') })
const USERS = 100
const users = Array.from({ length: USERS }, (_, i) => `user-${i}@example.com`)
const anonymous = (version = 1, at = expiresAt): SessionRecord => ({ payload, expiresAt: at, version })
const signedIn = (key: string, userId: string, version = 1): SessionRecord => ({
  ...anonymous(version),
  userId,
  handle: sessionHandle(key),
})
// Every user already has 3 sessions (other devices): their index files exist and hold entries.
for (const user of users)
  for (let i = 0; i < 3; i++) {
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, user))
  }

let cursor = 0
const nextUser = () => users[cursor++ % USERS]!

/** A case: `prepare` runs outside the clock and returns what `op` needs. */
interface Case<T> {
  prepare: () => Promise<T>
  op: (input: T) => Promise<unknown>
}
const made = <T>(c: Case<T>) => c as Case<unknown>
const fresh = async (record: (key: string) => SessionRecord) => {
  const key = generateSessionKey()
  await engine.create(key, record(key))
  return key
}

const cases: Record<string, Case<unknown>> = {
  'create, anonymous': made({ prepare: async () => generateSessionKey(), op: (key: string) => engine.create(key, anonymous()) }),
  'create, signed in': made({
    prepare: async () => [generateSessionKey(), nextUser()] as const,
    op: ([key, user]: readonly [string, string]) => engine.create(key, signedIn(key, user)),
  }),
  'read + update, anonymous': made({
    prepare: () => fresh(() => anonymous()),
    op: async (key: string) => {
      const r = (await engine.read(key, now))!
      await engine.update(key, anonymous(r.version + 1), r.version)
    },
  }),
  'read + update, signed in (same user)': made({
    prepare: async () => {
      const user = nextUser()
      return [await fresh((key) => signedIn(key, user)), user] as const
    },
    op: async ([key, user]: readonly [string, string]) => {
      const r = (await engine.read(key, now))!
      await engine.update(key, signedIn(key, user, r.version + 1), r.version)
    },
  }),
  'destroy, anonymous': made({ prepare: () => fresh(() => anonymous()), op: (key: string) => engine.destroy(key) }),
  'destroy, signed in (user keeps other sessions)': made({
    prepare: () => {
      const user = nextUser()
      return fresh((key) => signedIn(key, user))
    },
    op: (key: string) => engine.destroy(key),
  }),
  'cycle key, anonymous (create + end old + destroy old)': made({
    prepare: () => fresh(() => anonymous()),
    op: async (old: string) => {
      const key = generateSessionKey()
      await engine.create(key, anonymous())
      await engine.update(old, anonymous(2, now), 1)
      await engine.destroy(old)
    },
  }),
  'login (the same three calls, new key signed in)': made({
    prepare: async () => [await fresh(() => anonymous()), nextUser()] as const,
    op: async ([old, user]: readonly [string, string]) => {
      const key = generateSessionKey()
      await engine.create(key, signedIn(key, user))
      await engine.update(old, anonymous(2, now), 1)
      await engine.destroy(old)
    },
  }),
  'logout (the same three calls, old key signed in)': made({
    prepare: () => {
      const user = nextUser()
      return fresh((key) => signedIn(key, user))
    },
    op: async (old: string) => {
      const key = generateSessionKey()
      await engine.create(key, anonymous())
      await engine.update(old, anonymous(2, now), 1)
      await engine.destroy(old)
    },
  }),
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `@sess/file user index, ${USERS} users × 3 sessions, ${payload.length} B payload, median of ${rounds} × ${opsPerRound} ops, dir ${root}`,
)
console.log(`  ${'operation'.padEnd(54)} ${'µs/op'.padStart(8)} ${'fdatasync/op'.padStart(13)} ${'dir fsync/op'.padStart(13)}`)
for (const [name, c] of Object.entries(cases)) {
  const times: number[] = []
  let syncs = { fsync: 0, fdatasync: 0 }
  for (let round = -1; round < rounds; round++) {
    const inputs = []
    for (let i = 0; i < opsPerRound; i++) inputs.push(await c.prepare())
    const before = { ...counts }
    const start = performance.now()
    for (const input of inputs) await c.op(input)
    const elapsed = performance.now() - start
    if (round < 0) continue // warm-up
    times.push((elapsed * 1000) / opsPerRound)
    syncs = { fsync: counts.fsync - before.fsync, fdatasync: counts.fdatasync - before.fdatasync }
  }
  console.log(
    `  ${name.padEnd(54)} ${median(times).toFixed(0).padStart(8)} ${(syncs.fdatasync / opsPerRound).toFixed(2).padStart(13)} ${(syncs.fsync / opsPerRound).toFixed(2).padStart(13)}`,
  )
}
const key = generateSessionKey()
const user = 'many@example.com'
for (let i = 0; i < 10; i++) await fresh((k) => signedIn(k, user))
await engine.create(key, signedIn(key, user))
const before = { ...counts }
const start = performance.now()
const removed = await engine.destroyUser!(user, { exceptHandle: sessionHandle(key) })
console.log(
  `  destroyUser of ${removed} sessions (sign out everywhere else): ${((performance.now() - start) * 1000).toFixed(0)} µs, ${counts.fdatasync - before.fdatasync} fdatasync, ${counts.fsync - before.fsync} dir fsync`,
)
