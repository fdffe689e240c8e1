/**
 * A separate process for the crash, cross-process and permission tests (run with tsx, see test-spawn.ts).
 * Argument: a JSON task. Writes one line per acknowledged write to stdout.
 */
import { isSessionError } from '@sess/core'
import { generateSessionKey, type SessionRecord } from '@sess/core/engine'
import { fileEngine } from './index.js'

type Task =
  | { mode: 'crash'; dir: string; keys: string[]; pad: number }
  | { mode: 'count'; dir: string; key: string; increments: number; lanes: number; startAt: number }
  | { mode: 'probe'; dir: string; readable: string; missingKey: string }
  | { mode: 'grow'; dir: string; key: string; bytes: number }

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

const run = task.mode === 'crash' ? crash(task) : task.mode === 'count' ? count(task) : task.mode === 'grow' ? grow(task) : probe(task)
run.catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
