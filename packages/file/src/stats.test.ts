import { generateSessionKey, sessionHandle } from '@sess/core/engine'
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { now, rec, tempRoot } from './test-dirs.js'

/** The sizes of every file under `dir` (one level of subdirectories), added up independently of the engine. */
function bytesOnDisk(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) for (const name of readdirSync(path)) total += statSync(join(path, name)).size
    else total += statSync(path).size
  }
  return total
}

describe('file: stats', () => {
  it('counts live sessions, their earliest and latest expiry, the signed-in ones and the bytes of the files', async () => {
    const dir = join(tempRoot('stats'), 'sessions')
    const engine = fileEngine({ dir })
    expect(await engine.stats!(now)).toEqual({ sessions: 0, earliestExpiry: null, latestExpiry: null, bytes: 0, signedIn: 0 })

    const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000)
    const expired = generateSessionKey()
    await engine.create(expired, rec('{"old":1}', 1, now)) // expires exactly now: not live
    for (const minutes of [5, 90, 30]) await engine.create(generateSessionKey(), rec('{"d":{}}', 1, at(minutes)))
    for (const [user, minutes] of [
      ['ada', 10],
      ['ada', 60],
      ['bob', 20],
    ] as const) {
      const key = generateSessionKey()
      await engine.create(key, { ...rec('{"d":{}}', 1, at(minutes)), userId: user, handle: sessionHandle(key) })
    }
    writeFileSync(join(dir, `sess_${'0'.repeat(64)}`), 'torn') // unreadable: not a session, but it takes space
    writeFileSync(join(dir, 'unrelated.txt'), 'not ours')
    const stats = await engine.stats!(now)
    expect(stats).toEqual({
      sessions: 6,
      earliestExpiry: at(5),
      latestExpiry: at(90),
      bytes: bytesOnDisk(dir) - 'not ours'.length,
      signedIn: 3,
    })
    expect(stats.bytes).toBeGreaterThan(0)
    expect((await engine.stats!(at(45))).sessions).toBe(2)
    expect((await engine.stats!(at(45))).signedIn).toBe(1)
  })

  it('answers zeros for a directory that vanished', async () => {
    const root = tempRoot('stats')
    const engine = fileEngine({ dir: join(root, 'sessions') })
    rmSync(join(root, 'sessions'), { recursive: true })
    expect(await engine.stats!(now)).toEqual({ sessions: 0, earliestExpiry: null, latestExpiry: null, bytes: 0, signedIn: 0 })
  })
})
