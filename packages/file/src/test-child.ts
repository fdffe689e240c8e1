/**
 * A separate process for the crash, cross-process and permission tests (run with tsx, see test-spawn.ts).
 * Argument: a JSON task. Writes one line per acknowledged write to stdout.
 */
import { isSessionError } from '@sess/core'
import { generateSessionKey, sessionHandle, type SessionRecord } from '@sess/core/engine'
import { fileEngine } from './index.js'

type Task =
  | { mode: 'crash'; dir: string; keys: string[]; pad: number }
  | { mode: 'count'; dir: string; key: string; increments: number; lanes: number; startAt: number }
  | { mode: 'probe'; dir: string; readable: string; missingKey: string }
  | { mode: 'grow'; dir: string; key: string; bytes: number }
  | { mode: 'users'; dir: string; users: string[]; lanes: number }
  | { mode: 'login'; dir: string; userId: string; sessions: number; startAt: number }
  | { mode: 'read'; dir: string; keys: string[] }

const task = JSON.parse(process.argv[2]!) as Task
const later = new Date(Date.UTC(2031, 0, 1))
const now = new Date(Date.UTC(2030, 0, 1))
const payload = (version: number, pad: number) => JSON.stringify({ version, pad: 'x'.repeat(pad) })

async function crash(t: Extract<Task, { mode: 'crash' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir, staleLockMs: 60_000 })
  const versions = new Map<string, number>()
  for (const key of t.keys) {
    const found = await engine.read(key, now)
    if (found) versions.set(key, found.version)
    else {
      await engine.create(key, { payload: payload(1, t.pad), expiresAt: later, version: 1 })
      versions.set(key, 1)
      process.stdout.write(`${key} 1\n`)
    }
  }
  // Several writers at once, like concurrent requests, each acknowledging its versions in order.
  await Promise.all(
    t.keys.map(async (key) => {
      for (;;) {
        const version = versions.get(key)! + 1
        const record: SessionRecord = { payload: payload(version, t.pad), expiresAt: later, version }
        await engine.update(key, record, version - 1)
        versions.set(key, version)
        process.stdout.write(`${key} ${version}\n`)
      }
    }),
  )
}

async function count(t: Extract<Task, { mode: 'count' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir })
  let conflicts = 0
  const lane = async (n: number) => {
    for (let done = 0; done < n; ) {
      const current = (await engine.read(t.key, now))!
      const value = (JSON.parse(current.payload) as { n: number }).n
      try {
        await engine.update(
          t.key,
          { payload: JSON.stringify({ n: value + 1 }), expiresAt: later, version: current.version + 1 },
          current.version,
        )
        done++
      } catch (error) {
        if (!isSessionError(error, 'VERSION_CONFLICT')) throw error
        conflicts++
      }
    }
  }
  // Both processes start together (a wall-clock barrier), so their writes really interleave.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, t.startAt - Date.now())))
  await Promise.all(Array.from({ length: t.lanes }, () => lane(t.increments / t.lanes)))
  process.stdout.write(`${JSON.stringify({ conflicts })}\n`)
}

async function probe(t: Extract<Task, { mode: 'probe' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir })
  const outcome = async (promise: Promise<unknown>) =>
    promise.then(
      (value) => ({ ok: true, value: value ?? null }),
      (error: unknown) => ({
        ok: false,
        code: isSessionError(error) ? error.code : 'not a SessionError',
        cause: (error as { cause?: { code?: string } }).cause?.code ?? null,
        message: (error as Error).message,
      }),
    )
  const record = { payload: '{}', expiresAt: later, version: 1 }
  const result = {
    read: await outcome(engine.read(t.readable, now)),
    readMissing: await outcome(engine.read(t.missingKey, now)),
    create: await outcome(engine.create(generateSessionKey(), record)),
    update: await outcome(engine.update(t.readable, { ...record, version: 2 }, 1)),
    destroy: await outcome(engine.destroy(t.readable)),
    purge: await outcome(engine.purgeExpired!(now)),
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

async function grow(t: Extract<Task, { mode: 'grow' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir })
  const outcome = await engine
    .update(t.key, { payload: JSON.stringify({ blob: 'x'.repeat(t.bytes) }), expiresAt: later, version: 2 }, 1)
    .then(
      () => ({ ok: true }),
      (error: unknown) => ({
        ok: false,
        code: isSessionError(error) ? error.code : 'not a SessionError',
        cause: (error as { cause?: { code?: string } }).cause?.code ?? null,
      }),
    )
  process.stdout.write(`${JSON.stringify(outcome)}\n`)
}

/** What core writes for a session of `userId` (`null`: anonymous). */
function signedIn(key: string, userId: string | null, version: number): SessionRecord {
  const record: SessionRecord = { payload: JSON.stringify({ version, user: userId }), expiresAt: later, version }
  if (userId !== null) {
    record.userId = userId
    record.handle = sessionHandle(key)
  }
  return record
}

/**
 * Signs sessions in, moves them between users, signs them out and destroys them, in `lanes` concurrent loops,
 * until killed. One line per acknowledged operation.
 */
async function users(t: Extract<Task, { mode: 'users' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir, staleLockMs: 60_000 })
  const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!
  const someone = () => (Math.random() < 0.2 ? null : pick(t.users))
  const lane = async () => {
    for (;;) {
      const key = generateSessionKey()
      let version = 1
      await engine.create(key, signedIn(key, someone(), version))
      process.stdout.write('create\n')
      for (let step = Math.floor(Math.random() * 6); step > 0; step--) {
        await engine.update(key, signedIn(key, someone(), version + 1), version)
        version++
        process.stdout.write('update\n')
      }
      if (Math.random() < 0.5) {
        await engine.destroy(key)
        process.stdout.write('destroy\n')
      }
    }
  }
  await Promise.all(Array.from({ length: t.lanes }, lane))
}

/** Creates `sessions` signed-in sessions of one user, starting at a wall-clock barrier; prints their keys. */
async function login(t: Extract<Task, { mode: 'login' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir })
  const keys = Array.from({ length: t.sessions }, () => generateSessionKey())
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, t.startAt - Date.now())))
  await Promise.all(keys.map((key) => engine.create(key, signedIn(key, t.userId, 1))))
  process.stdout.write(`${JSON.stringify(keys)}\n`)
}

/** Prints which of `keys` read as live sessions in this process. */
async function read(t: Extract<Task, { mode: 'read' }>): Promise<void> {
  const engine = fileEngine({ dir: t.dir })
  const live: string[] = []
  for (const key of t.keys) if ((await engine.read(key, now)) !== null) live.push(key)
  process.stdout.write(`${JSON.stringify(live)}\n`)
}

const modes: { [M in Task['mode']]: (t: Extract<Task, { mode: M }>) => Promise<void> } = { crash, count, probe, grow, users, login, read }
const run = (modes[task.mode] as (t: Task) => Promise<void>)(task)
run.catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
