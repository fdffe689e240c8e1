import { isSessionError, type SessionError } from '@sess/core'
import { generateSessionKey } from '@sess/core/engine'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { events, later, now, rec, tempRoot, digest } from './test-dirs.js'

const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(isSessionError(error), String(error)).toBe(true)
  expect((error as SessionError).code).toBe(code)
  return error as SessionError
}

describe('file: what is on disk', () => {
  it('writes one JSON file per session, named prefix + SHA-256 of the key, readable only by the owner', async () => {
    const dir = join(tempRoot('disk'), 'sessions')
    const engine = fileEngine({ dir, prefix: 'app-' })
    const key = generateSessionKey()
    await engine.create(key, rec('{"a":"ü"}', 3))
    expect(readdirSync(dir)).toEqual([`app-${digest(key)}`])
    expect(JSON.parse(readFileSync(join(dir, `app-${digest(key)}`), 'utf8'))).toEqual({
      payload: '{"a":"ü"}',
      expiresAt: later.getTime(),
      version: 3,
    })
    expect(statSync(join(dir, `app-${digest(key)}`)).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    await engine.destroy(key)
    expect(readdirSync(dir)).toEqual([])
  })

  it('uses sess-sessions under the OS temp dir by default, created on demand with mode 0700', async () => {
    const root = tempRoot('default')
    const saved = process.env.TMPDIR
    process.env.TMPDIR = root
    try {
      const engine = fileEngine()
      const key = generateSessionKey()
      await engine.create(key, rec())
      expect(existsSync(join(root, 'sess-sessions', `sess_${digest(key)}`))).toBe(true)
      expect(statSync(join(root, 'sess-sessions')).mode & 0o777).toBe(0o700)
    } finally {
      restoreTmpdir(saved)
    }
  })

  it('refuses a default directory another local user could control (symlink, foreign owner, writable by others)', () => {
    const root = tempRoot('default')
    const saved = process.env.TMPDIR
    process.env.TMPDIR = root
    const dir = join(root, 'sess-sessions')
    try {
      mkdirSync(dir, { mode: 0o700 })
      chmodSync(dir, 0o777)
      expect(() => fileEngine()).toThrow(/writable by other users/)
      chmodSync(dir, 0o700)
      // Only root can give a directory away; as another user, the directory would need planting by someone else.
      if (process.getuid?.() === 0) {
        chownSync(dir, 65534, 65534)
        expect(() => fileEngine()).toThrow(/owned by another user/)
      }
      rmSync(dir, { recursive: true })
      mkdirSync(join(root, 'elsewhere'), { mode: 0o700 })
      symlinkSync(join(root, 'elsewhere'), dir)
      expect(() => fileEngine()).toThrow(/is not a directory/)
      // An explicit directory is the caller's choice: a symlink to a directory is fine there.
      expect(fileEngine({ dir }).name).toBe('file')
    } finally {
      restoreTmpdir(saved)
    }
  })

  it('refuses bad options with SessionError("CONFIG") at start-up', () => {
    const root = tempRoot('config')
    writeFileSync(join(root, 'plain-file'), '')
    const cases: unknown[] = [
      { dir: join(root, 'plain-file') },
      { dir: join(root, 'plain-file', 'below') },
      { dir: '' },
      { dir: 42 },
      { dir: join(root, 'ok'), prefix: '../' },
      { dir: join(root, 'ok'), prefix: '.hidden' },
      { dir: join(root, 'ok'), prefix: 'a'.repeat(65) },
      { dir: join(root, 'ok'), onEvent: 'log' },
      { dir: join(root, 'ok'), lockTimeoutMs: 0 },
      { dir: join(root, 'ok'), staleLockMs: Number.NaN },
      null,
    ]
    for (const options of cases) {
      let error: unknown
      try {
        fileEngine(options as never)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG'), JSON.stringify(options)).toBe(true)
    }
  })

  it('recreates a directory removed while running', async () => {
    const dir = join(tempRoot('vanish'), 'sessions')
    const engine = fileEngine({ dir })
    rmSync(dir, { recursive: true })
    const key = generateSessionKey()
    expect(await engine.read(key, now)).toBeNull()
    await engine.create(key, rec())
    expect((await engine.read(key, now))?.version).toBe(1)
  })
})

describe('file: corrupt files read as absent and are reported', () => {
  const corrupt: Record<string, string> = {
    empty: '',
    'not JSON': 'hello',
    truncated: JSON.stringify({ payload: '{"a":1}', expiresAt: Date.UTC(2031, 0, 1), version: 1 }).slice(0, 30),
    array: '[]',
    null: 'null',
    'payload not a string': JSON.stringify({ payload: { a: 1 }, expiresAt: Date.UTC(2031, 0, 1), version: 1 }),
    'expiry missing': JSON.stringify({ payload: '{}', version: 1 }),
    'expiry a string': JSON.stringify({ payload: '{}', expiresAt: '2031-01-01', version: 1 }),
    'version fractional': JSON.stringify({ payload: '{}', expiresAt: Date.UTC(2031, 0, 1), version: 1.5 }),
  }
  for (const [label, text] of Object.entries(corrupt)) {
    it(`${label}: read → null with a store.corrupt event; update → NOT_FOUND; create → KEY_CONFLICT`, async () => {
      const dir = join(tempRoot('corrupt'), 'sessions')
      const seen = events()
      const engine = fileEngine({ dir, onEvent: seen.onEvent })
      const key = generateSessionKey()
      writeFileSync(join(dir, `sess_${digest(key)}`), text)
      expect(await engine.read(key, now)).toBeNull()
      expect(seen.list).toHaveLength(1)
      expect(seen.list[0]).toMatchObject({ type: 'store.corrupt', store: 'file' })
      expect(JSON.stringify(seen.list[0])).not.toContain(key)
      await expectCode(engine.update(key, rec('{}', 2), 1), 'NOT_FOUND')
      await expectCode(engine.create(key, rec()), 'KEY_CONFLICT')
      expect(readFileSync(join(dir, `sess_${digest(key)}`), 'utf8')).toBe(text)
    })
  }

  it('a throwing listener does not break a read', async () => {
    const dir = join(tempRoot('corrupt'), 'sessions')
    const engine = fileEngine({
      dir,
      onEvent: () => {
        throw new Error('listener bug')
      },
    })
    const key = generateSessionKey()
    writeFileSync(join(dir, `sess_${digest(key)}`), '{')
    expect(await engine.read(key, now)).toBeNull()
  })

  it('purgeExpired removes corrupt files and counts them', async () => {
    const dir = join(tempRoot('corrupt'), 'sessions')
    const engine = fileEngine({ dir })
    const bad = generateSessionKey()
    const good = generateSessionKey()
    writeFileSync(join(dir, `sess_${digest(bad)}`), 'garbage')
    await engine.create(good, rec())
    expect(await engine.purgeExpired!(now)).toBe(1)
    expect(readdirSync(dir)).toEqual([`sess_${digest(good)}`])
  })
})

describe('file: temp files and purge', () => {
  it('a temp file is never read as a session, and purge removes only old leftovers', async () => {
    const dir = join(tempRoot('temp'), 'sessions')
    const engine = fileEngine({ dir })
    const valid = JSON.stringify({ payload: '{"temp":true}', expiresAt: Date.UTC(2031, 0, 1), version: 1 })
    const fresh = join(dir, '.tmp-0123456789abcdef01234567')
    const old = join(dir, '.tmp-fedcba9876543210fedcba98')
    writeFileSync(fresh, valid)
    writeFileSync(old, valid)
    const anHourAgo = (Date.now() - 3_600_000) / 1000
    utimesSync(old, anHourAgo, anHourAgo)
    expect(await engine.read('0123456789abcdef01234567'.padEnd(32, '0'), now)).toBeNull()
    expect(await engine.purgeExpired!(now)).toBe(0)
    expect(readdirSync(dir)).toEqual(['.tmp-0123456789abcdef01234567'])
  })

  it('leaves no temp or lock files behind after ordinary operations', async () => {
    const dir = join(tempRoot('temp'), 'sessions')
    const engine = fileEngine({ dir })
    const keys = Array.from({ length: 10 }, () => generateSessionKey())
    await Promise.all(keys.map((key) => engine.create(key, rec())))
    await Promise.all(keys.map((key) => engine.update(key, rec('{"n":2}', 2), 1)))
    await Promise.all(keys.map((key) => engine.touch!(key, new Date(Date.UTC(2030, 5, 1)))))
    await Promise.all(keys.slice(0, 5).map((key) => engine.destroy(key)))
    expect(readdirSync(dir).sort()).toEqual(
      keys
        .slice(5)
        .map((key) => `sess_${digest(key)}`)
        .sort(),
    )
  })

  it('a refused save (version conflict, missing session, existing key) leaves no temp file and the file as it was', async () => {
    // create and update write their temp file before taking the lock: a refusal must drop it at once.
    const dir = join(tempRoot('temp'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, rec('{"n":1}', 1))
    const racing = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => engine.update(key, rec(`{"n":${i}}`, 2), 1)))
    expect(racing.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1)
    await expectCode(engine.update(key, rec('{"stale":true}', 3), 1), 'VERSION_CONFLICT')
    await expectCode(engine.update(generateSessionKey(), rec('{}', 2), 1), 'NOT_FOUND')
    await expectCode(engine.create(key, rec('{"again":true}', 1)), 'KEY_CONFLICT')
    expect(readdirSync(dir)).toEqual([`sess_${digest(key)}`])
    expect((JSON.parse(readFileSync(join(dir, `sess_${digest(key)}`), 'utf8')) as { version: number }).version).toBe(2)
  })

  it('purges 2 000 files streaming, removing exactly the expired ones, and ignores foreign files', async () => {
    const dir = join(tempRoot('purge'), 'sessions')
    const engine = fileEngine({ dir })
    const boundary = new Date(Date.UTC(2030, 0, 1, 12))
    const expired: string[] = []
    const live: string[] = []
    for (let i = 0; i < 2000; i++) {
      const key = generateSessionKey()
      const isExpired = i % 3 === 0
      ;(isExpired ? expired : live).push(key)
      writeFileSync(
        join(dir, `sess_${digest(key)}`),
        JSON.stringify({ payload: '{}', expiresAt: boundary.getTime() + (isExpired ? 0 : 1), version: 1 }),
      )
    }
    writeFileSync(join(dir, 'README'), 'not a session')
    writeFileSync(join(dir, `other_${generateSessionKey()}`), 'garbage under another prefix')
    expect(await engine.purgeExpired!(boundary)).toBe(expired.length)
    expect(readdirSync(dir).length).toBe(live.length + 2)
    for (const key of live.slice(0, 20)) expect(await engine.read(key, now)).not.toBeNull()
  })
})

function restoreTmpdir(saved: string | undefined): void {
  if (saved === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = saved
}
