import { createSessions } from '@sess/core'
import { engineStore, generateSessionKey, isSessionError } from '@sess/core/engine'
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { digest, events, later, now, rec, tempRoot } from './test-dirs.js'

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

describe('file: session keys at rest (hole 2: the file name was the key)', () => {
  it('no file name and no file content in the directory contains a session key', async () => {
    const dir = join(tempRoot('rest'), 'sessions')
    const sessions = createSessions<{ user?: string }>({ engine: fileEngine({ dir }) })
    const keys: string[] = []
    for (const user of ['ada', 'bob', 'eve']) {
      const session = sessions.load(undefined)
      await session.set('user', user)
      await sessions.commit(session)
      keys.push(session.key!)
    }
    const names = readdirSync(dir)
    expect(names.sort()).toEqual(keys.map((key) => `sess_${digest(key)}`).sort())
    for (const name of names) {
      const text = readFileSync(join(dir, name), 'utf8')
      for (const key of keys) {
        expect(name).not.toContain(key)
        expect(text).not.toContain(key)
      }
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600)
    }
    expect(await sessions.load(`sessionid=${keys[1]}`).get('user')).toBe('bob')
  })

  it('a file of the old layout (named after the raw key) is not found, and purgeExpired removes it even unexpired', async () => {
    const dir = join(tempRoot('legacy'), 'sessions')
    mkdirSync(dir, { mode: 0o700 })
    const key = generateSessionKey()
    writeFileSync(join(dir, `sess_${key}`), JSON.stringify({ payload: '{"d":{},"c":1}', expiresAt: later.getTime(), version: 1 }), {
      mode: 0o600,
    })
    const engine = fileEngine({ dir })
    const live = generateSessionKey()
    await engine.create(live, rec())
    expect(await engine.read(key, now)).toBeNull()
    expect(await engine.purgeExpired!(now)).toBe(1)
    expect(readdirSync(dir)).toEqual([`sess_${digest(live)}`])
  })
})

describe('file: directory permissions (hole 2: a 0755 directory exposed every key)', () => {
  it('creates the directory 0700 and reports nothing', () => {
    const dir = join(tempRoot('mode'), 'a', 'sessions')
    const seen = events()
    fileEngine({ dir, onEvent: seen.onEvent })
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(seen.list).toEqual([])
  })

  it.each([0o777, 0o770, 0o707, 0o1777, 0o720])('refuses an existing directory writable by other users (mode %s) with CONFIG', (mode) => {
    const dir = join(tempRoot('writable'), 'sessions')
    mkdirSync(dir)
    chmodSync(dir, mode)
    const error = thrown(() => fileEngine({ dir }))
    expect(isSessionError(error, 'CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(/writable by other users/)
  })

  it('starts on an existing directory other users can read (0755), reporting store.insecure once', async () => {
    const dir = join(tempRoot('readable'), 'sessions')
    mkdirSync(dir)
    chmodSync(dir, 0o755)
    const seen = events()
    const engine = fileEngine({ dir, onEvent: seen.onEvent })
    const key = generateSessionKey()
    await engine.create(key, rec())
    await engine.read(key, now)
    await engine.purgeExpired!(now)
    expect(seen.list).toHaveLength(1)
    expect(seen.list[0]).toMatchObject({ type: 'store.insecure', store: 'file' })
    expect((seen.list[0] as { detail: string }).detail).toMatch(/readable by other users \(mode 755\).*chmod 700/)
    // The directory's mode is the operator's: it is reported, not changed.
    expect(statSync(dir).mode & 0o777).toBe(0o755)
  })
})

describe('file: a corrupt file is never a live session (hole 3)', () => {
  it('through createSessions: store.corrupt, an empty session, a fresh key on the next save', async () => {
    const dir = join(tempRoot('corrupt'), 'sessions')
    const seen = events()
    const engine = fileEngine({ dir, onEvent: seen.onEvent })
    const sessions = createSessions<{ user?: string }>({ engine: engineStore(engine, { onEvent: seen.onEvent }) })
    const first = sessions.load(undefined)
    await first.set('user', 'ada')
    await sessions.commit(first)
    const key = first.key!
    for (const text of ['{"payload":"{}","expiresAt":"garbage","version":1}', '{"payload":"{}","expiresAt":1,"version":"abc"}', '{']) {
      writeFileSync(join(dir, `sess_${digest(key)}`), text)
      seen.list.length = 0
      const session = sessions.load(`sessionid=${key}`)
      expect(await session.get('user')).toBeUndefined()
      expect(session.key).toBeNull()
      expect(seen.list.map((e) => e.type)).toEqual(['store.corrupt'])
      await session.set('user', 'eve')
      await sessions.commit(session)
      expect(session.key).not.toBe(key)
    }
  })
})
