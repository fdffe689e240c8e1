import { isSessionError } from '@sess/core'
import { generateSessionKey, sessionHandle, type SessionRecord } from '@sess/core/engine'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { churnUserIndex } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { digest, events, later, now, rec, tempRoot } from './test-dirs.js'
import { runChild } from './test-spawn.js'

/** A record of a signed-in session, as core writes it. */
function signedIn(key: string, userId: string, expiresAt = later, version = 1): SessionRecord {
  return { payload: `{"d":{"v":${version}}}`, expiresAt, version, userId, handle: sessionHandle(key) }
}

/** The name of a user's index file, computed independently of the engine. */
function userFile(userId: string): string {
  return createHash('sha256')
    .update(`sess.user:${JSON.stringify(userId)}`)
    .digest('hex')
}

/** The index directory's files (without temp files and locks): user file name → the digests it lists. */
function indexOnDisk(dir: string): Record<string, string[]> {
  const indexDir = join(dir, '.users-sess_')
  if (!existsSync(indexDir)) return {}
  const out: Record<string, string[]> = {}
  for (const name of readdirSync(indexDir)) {
    if (name.startsWith('.')) continue
    out[name] = (JSON.parse(readFileSync(join(indexDir, name), 'utf8')) as { sessions: string[] }).sessions.sort()
  }
  return out
}

const handlesOf = async (engine: ReturnType<typeof fileEngine>, userId: string, at = now) =>
  (await engine.listUser!(userId, at)).map((r) => r.handle).sort()

describe('file: the user index on disk', () => {
  it('keeps one small file per user, named by a hash of the id, listing only digests; anonymous sessions make none', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const anonymous = generateSessionKey()
    await engine.create(anonymous, rec())
    expect(readdirSync(dir)).toEqual([`sess_${digest(anonymous)}`])

    const user = 'ada@example.com'
    const keys = [generateSessionKey(), generateSessionKey()]
    for (const key of keys) await engine.create(key, signedIn(key, user))
    expect(indexOnDisk(dir)).toEqual({ [userFile(user)]: keys.map(digest).sort() })
    const indexDir = join(dir, '.users-sess_')
    expect(statSync(indexDir).mode & 0o777).toBe(0o700)
    expect(statSync(join(indexDir, userFile(user))).mode & 0o777).toBe(0o600)
    // Neither a key nor the user id appears in any name or index file.
    const text = readFileSync(join(indexDir, userFile(user)), 'utf8')
    for (const secret of [...keys, user, ...keys.map(sessionHandle)]) {
      expect(text).not.toContain(secret)
      expect(readdirSync(indexDir).join(' ')).not.toContain(secret)
    }
    // The session files carry the user and handle, read back as given.
    expect(await engine.read(keys[0]!, now)).toEqual(signedIn(keys[0]!, user))
    expect(await engine.read(anonymous, now)).toEqual(rec())
  })

  it('names index files by hash, so ids that look like paths stay inside the index directory', async () => {
    const root = tempRoot('index')
    const dir = join(root, 'sessions')
    const engine = fileEngine({ dir })
    const ids = ['../../escape', 'a/b', '\0', '.', '', '\ud800', '\ud801']
    for (const id of ids) {
      const key = generateSessionKey()
      await engine.create(key, signedIn(key, id))
      expect(await handlesOf(engine, id), JSON.stringify(id)).toEqual([sessionHandle(key)])
    }
    expect(readdirSync(root)).toEqual(['sessions'])
    // Two lone surrogates would be one name if hashed as UTF-8: they keep two files.
    expect(Object.keys(indexOnDisk(dir)).sort()).toEqual(ids.map(userFile).sort())
  })

  it('moves the entry when an update changes the user, and drops index files left empty', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, 'ada'))
    await engine.update(key, signedIn(key, 'bob', later, 2), 1)
    expect(indexOnDisk(dir)).toEqual({ [userFile('bob')]: [digest(key)] })
    expect(await handlesOf(engine, 'ada')).toEqual([])
    expect(await handlesOf(engine, 'bob')).toEqual([sessionHandle(key)])
    // Signing out keeps the session and empties the index.
    await engine.update(key, { ...rec('{"d":{}}', 3) }, 2)
    expect(indexOnDisk(dir)).toEqual({})
    expect(await engine.read(key, now)).toEqual(rec('{"d":{}}', 3))
    // A logout destroys the session: its entry goes with it.
    await engine.update(key, signedIn(key, 'ada', later, 4), 3)
    expect(indexOnDisk(dir)).toEqual({ [userFile('ada')]: [digest(key)] })
    await engine.destroy(key)
    expect(indexOnDisk(dir)).toEqual({})
  })

  it('prunes stale entries: a session file that is gone or names another user is neither listed nor kept', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const [kept, moved] = [generateSessionKey(), generateSessionKey()]
    await engine.create(kept, signedIn(kept, 'ada'))
    await engine.create(moved, signedIn(moved, 'bob'))
    // What a crash can leave: an entry added before its session file was written, and one not yet removed after a move.
    const never = generateSessionKey()
    writeFileSync(join(dir, '.users-sess_', userFile('ada')), JSON.stringify({ sessions: [digest(kept), digest(never), digest(moved)] }))
    expect(await handlesOf(engine, 'ada')).toEqual([sessionHandle(kept)])
    expect(indexOnDisk(dir)[userFile('ada')]).toEqual([digest(kept)])
    expect(await engine.destroyUser!('ada')).toBe(1)
    expect(await engine.read(moved, now)).not.toBeNull()
    expect(indexOnDisk(dir)).toEqual({ [userFile('bob')]: [digest(moved)] })
  })

  it('listing while sessions are being signed in never prunes one whose file is still being written', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const keys = Array.from({ length: 30 }, () => generateSessionKey())
    let creating = true
    let listings = 0
    const created = Promise.all(keys.map((key) => engine.create(key, signedIn(key, 'ada')))).finally(() => {
      creating = false
    })
    // Each listing meets entries whose session file is not written yet, and judges them again under their lock.
    while (creating && listings < 10_000) {
      await engine.listUser!('ada', now)
      listings++
      await new Promise((resolve) => setImmediate(resolve)) // let the creates' I/O run in between
    }
    await created
    expect(listings).toBeGreaterThan(0)
    expect(await handlesOf(engine, 'ada')).toEqual(keys.map(sessionHandle).sort())
    expect(indexOnDisk(dir)[userFile('ada')]).toEqual(keys.map(digest).sort())
  })

  it('rebuilds an unreadable index file from the session files and reports it', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const seen = events()
    const engine = fileEngine({ dir, onEvent: seen.onEvent })
    const keys = [generateSessionKey(), generateSessionKey(), generateSessionKey()]
    for (const key of keys) await engine.create(key, signedIn(key, 'ada'))
    const other = generateSessionKey()
    await engine.create(other, signedIn(other, 'bob'))
    writeFileSync(join(dir, '.users-sess_', userFile('ada')), '{"sessions":["not a digest"')
    expect(await handlesOf(engine, 'ada')).toEqual(keys.map(sessionHandle).sort())
    expect(seen.list.map((e) => e.type)).toEqual(['store.corrupt'])
    expect(indexOnDisk(dir)[userFile('ada')]).toEqual(keys.map(digest).sort())
    // The same for a write that meets the damage first.
    writeFileSync(join(dir, '.users-sess_', userFile('ada')), '')
    const fourth = generateSessionKey()
    await engine.create(fourth, signedIn(fourth, 'ada'))
    expect(await engine.destroyUser!('ada')).toBe(4)
    for (const key of [...keys, fourth]) expect(await engine.read(key, now)).toBeNull()
    expect(await engine.read(other, now)).not.toBeNull()
  })

  it('purgeExpired enters live signed-in sessions missing from the index again (the index directory deleted by hand)', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const seen = events()
    const engine = fileEngine({ dir, onEvent: seen.onEvent })
    const keys = [generateSessionKey(), generateSessionKey()]
    for (const key of keys) await engine.create(key, signedIn(key, 'ada'))
    const bob = generateSessionKey()
    await engine.create(bob, signedIn(bob, 'bob'))
    rmSync(join(dir, '.users-sess_'), { recursive: true })
    expect(await engine.listUser!('ada', now)).toEqual([])
    expect(await engine.purgeExpired!(now)).toBe(0)
    expect(seen.list).toEqual([
      { type: 'store.corrupt', store: 'file', detail: '3 signed-in sessions were missing from the user index; entered again' },
    ])
    expect(await handlesOf(engine, 'ada')).toEqual(keys.map(sessionHandle).sort())
    expect(indexOnDisk(dir)).toEqual({ [userFile('ada')]: keys.map(digest).sort(), [userFile('bob')]: [digest(bob)] })
    // A sound index is left alone: nothing to report.
    await engine.purgeExpired!(now)
    expect(seen.list).toHaveLength(1)
  })

  it('purgeExpired removes expired sessions and their entries; expired sessions are never listed', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const soon = new Date(now.getTime() + 60_000)
    const [short, long] = [generateSessionKey(), generateSessionKey()]
    await engine.create(short, signedIn(short, 'ada', soon))
    await engine.create(long, signedIn(long, 'ada', later))
    const after = new Date(soon.getTime() + 1)
    expect(await handlesOf(engine, 'ada', after)).toEqual([sessionHandle(long)])
    expect(await engine.purgeExpired!(after)).toBe(1)
    expect(indexOnDisk(dir)).toEqual({ [userFile('ada')]: [digest(long)] })
    expect(await engine.purgeExpired!(later)).toBe(1)
    expect(indexOnDisk(dir)).toEqual({})
    expect(readdirSync(dir)).toEqual(['.users-sess_'])
  })

  it('does not grow: 60 cycles of sign-in, move, sign-out, logout and expiry leave as many entries as signed-in sessions, then none', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const users = ['ada', 'bob', 'cy']
    const entries = () => Object.values(indexOnDisk(dir)).reduce((n, ids) => n + ids.length, 0)
    let clock = now.getTime()
    for (let cycle = 0; cycle < 60; cycle++) {
      const at = new Date(clock)
      const user = users[cycle % 3]!
      const [a, b, c] = [generateSessionKey(), generateSessionKey(), generateSessionKey()]
      const expiresAt = new Date(clock + 1000)
      await engine.create(a, signedIn(a, user, expiresAt))
      await engine.create(b, signedIn(b, user, expiresAt))
      await engine.create(c, signedIn(c, user, expiresAt))
      await engine.update(b, signedIn(b, users[(cycle + 1) % 3]!, expiresAt, 2), 1) // moved
      await engine.update(c, { ...rec('{}', 2, expiresAt) }, 1) // signed out
      if (cycle % 2 === 0)
        await engine.destroy(a) // logged out
      else expect(await engine.destroyUser!(user)).toBe(1) // signed out everywhere
      if (cycle % 4 === 1) expect(await engine.destroyUser!(users[(cycle + 1) % 3]!, { handle: sessionHandle(b) })).toBe(1)
      expect(entries(), `cycle ${cycle}: one entry per signed-in session`).toBe((await engine.stats!(at)).signedIn)
      clock += 2000 // everything of this cycle expires
      await engine.purgeExpired!(new Date(clock))
      expect(entries(), `cycle ${cycle}: nothing left after the purge`).toBe(0)
    }
    expect(readdirSync(join(dir, '.users-sess_'))).toEqual([])
    expect(readdirSync(dir)).toEqual(['.users-sess_'])
  })

  it('index entries do not outlive their records (churnUserIndex, 40 cycles): entries and index files back to none', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, signedIn(key, 'stays'))
    const before = indexOnDisk(dir)
    const { userIds, created } = await churnUserIndex(engine, { cycles: 40, now })
    expect(created).toBe(280)
    expect(userIds).toHaveLength(120)
    expect(indexOnDisk(dir)).toEqual(before)
    expect(readdirSync(join(dir, '.users-sess_'))).toEqual([userFile('stays')])
    expect(readdirSync(dir).sort()).toEqual(['.users-sess_', `sess_${digest(key)}`])
  })

  it('refuses bad input with SessionError("DATA") and stores nothing', async () => {
    const dir = join(tempRoot('index'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    const bad: unknown[] = [
      { ...rec(), userId: 'ada' },
      { ...rec(), userId: 7, handle: 'x' },
      { ...rec(), userId: 'ada', handle: 7 },
    ]
    for (const record of bad) {
      const error = await engine.create(key, record as SessionRecord).catch((e: unknown) => e)
      expect(isSessionError(error, 'DATA'), String(error)).toBe(true)
    }
    for (const call of [
      () => engine.listUser!(42 as unknown as string, now),
      () => engine.destroyUser!(null as unknown as string),
      () => engine.destroyUser!('ada', { exceptHandle: 5 as unknown as string }),
    ]) {
      const error = await call().catch((e: unknown) => e)
      expect(isSessionError(error, 'DATA'), String(error)).toBe(true)
    }
    expect(readdirSync(dir)).toEqual([])
    expect(await engine.destroyUser!('ada', null as unknown as undefined)).toBe(0)
  })
})

describe('file: the user index across processes', () => {
  it('two processes signing in one user at once: every session is indexed', async () => {
    const dir = join(tempRoot('index-procs'), 'sessions')
    const engine = fileEngine({ dir })
    const task = { mode: 'login', dir, userId: 'ada', sessions: 40, startAt: Date.now() + 1500 }
    const outputs = await Promise.all([runChild(task), runChild(task)])
    const keys = outputs.flatMap((out) => JSON.parse(out) as string[])
    expect(keys).toHaveLength(80)
    expect(await handlesOf(engine, 'ada')).toEqual(keys.map(sessionHandle).sort())
    expect(indexOnDisk(dir)[userFile('ada')]).toEqual(keys.map(digest).sort())
  })

  it("another process sees destroyUser at once: none of the user's keys reads as a session there", async () => {
    const dir = join(tempRoot('index-procs'), 'sessions')
    const engine = fileEngine({ dir })
    const [mine] = JSON.parse(await runChild({ mode: 'login', dir, userId: 'bob', sessions: 1, startAt: 0 })) as string[]
    const theirs = JSON.parse(await runChild({ mode: 'login', dir, userId: 'ada', sessions: 3, startAt: 0 })) as string[]
    const all = [mine!, ...theirs]
    expect(JSON.parse(await runChild({ mode: 'read', dir, keys: all }))).toEqual(all)
    expect(await engine.destroyUser!('ada', { exceptHandle: sessionHandle(theirs[0]!) })).toBe(2)
    expect(JSON.parse(await runChild({ mode: 'read', dir, keys: all }))).toEqual([mine, theirs[0]])
    expect(await engine.destroyUser!('ada')).toBe(1)
    expect(JSON.parse(await runChild({ mode: 'read', dir, keys: all }))).toEqual([mine])
  })
})
