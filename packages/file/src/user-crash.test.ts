import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { events, now, tempRoot } from './test-dirs.js'
import { spawnChild } from './test-spawn.js'

const ROUNDS = 6
const USERS = ['ada', 'bob', 'Zoë/../x', 'a:b {c}']

/** Runs the `users` child until it has acknowledged `acks` operations, plus a random few milliseconds, then SIGKILLs it. */
function churnThenKill(dir: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = spawnChild({ mode: 'users', dir, users: USERS, lanes: 4 })
    let seen = 0
    let err = ''
    let killing = false
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk.split('\n').length - 1
      if (seen >= acks && !killing) {
        killing = true
        setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 15))
      }
    })
    proc.on('error', reject)
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended by itself (${code}): ${err}`))
      else resolve(seen)
    })
  })
}

/** Every session file, read straight from the disk (not through the engine): its user and handle. */
function sessionFilesOnDisk(dir: string): { name: string; userId?: string; handle?: string }[] {
  return readdirSync(dir)
    .filter((name) => /^sess_[0-9a-f]{64}$/.test(name))
    .map((name) => ({ name, ...(JSON.parse(readFileSync(join(dir, name), 'utf8')) as { userId?: string; handle?: string }) }))
}

describe('file: the user index survives crashes', () => {
  it(`a process killed with SIGKILL while signing sessions in, moving, signing out and destroying them (${ROUNDS} rounds) never leaves a signed-in session out of its user's index`, async () => {
    const dir = join(tempRoot('user-crash'), 'sessions')
    const seen = events()
    let signedInChecked = 0
    for (let round = 0; round < ROUNDS; round++) {
      await churnThenKill(dir, 20 + Math.floor(Math.random() * 150))
      const engine = fileEngine({ dir, onEvent: seen.onEvent }) // a fresh engine, as after a restart
      const onDisk = sessionFilesOnDisk(dir)
      for (const user of USERS) {
        const listed = new Set((await engine.listUser!(user, now)).map((r) => r.handle))
        const expected = onDisk.filter((f) => f.userId === user).map((f) => f.handle)
        signedInChecked += expected.length
        for (const handle of expected) expect(listed.has(handle), `round ${round}: a session of ${user} on disk is listed`).toBe(true)
        expect(listed.size, `round ${round}: ${user} lists nothing else`).toBe(expected.length)
      }
    }
    expect(seen.list, 'no file was unreadable').toEqual([])
    expect(signedInChecked, 'the rounds left signed-in sessions to check').toBeGreaterThan(0)

    // "Sign out everywhere" for every user reaches every signed-in session file on the disk.
    const engine = fileEngine({ dir })
    for (const user of USERS) await engine.destroyUser!(user)
    expect(sessionFilesOnDisk(dir).filter((f) => f.userId !== undefined)).toEqual([])
    // And the stale entries the crashes left are pruned: no index file remains.
    await engine.purgeExpired!(now)
    expect(readdirSync(join(dir, '.users-sess_')).filter((name) => !name.startsWith('.tmp-'))).toEqual([])
  })
})
