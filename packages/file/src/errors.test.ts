import { isSessionError, type SessionError } from '@sess/core'
import { generateSessionKey, sessionHandle } from '@sess/core/engine'
import { execFileSync } from 'node:child_process'
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { fileEngine } from './index.js'
import { later, now, rec, tempRoot, digest } from './test-dirs.js'
import { runChild } from './test-spawn.js'

/** Expects SessionError('ENGINE') whose cause is the system error `code`, with no session key in the message. */
async function expectEngineError(promise: Promise<unknown>, code: string, key: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(isSessionError(error, 'ENGINE'), String(error)).toBe(true)
  expect(((error as SessionError).cause as { code?: string }).code).toBe(code)
  expect((error as Error).message).toMatch(/^\[@sess\/file\] /)
  expect((error as Error).message).not.toContain(key)
  expect(String(((error as SessionError).cause as Error).message)).not.toContain(key)
}

describe('file: I/O errors become SessionError("ENGINE") with the cause', () => {
  it('ENOTDIR: the directory was replaced by a regular file', async () => {
    const dir = join(tempRoot('errors'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    rmSync(dir, { recursive: true })
    writeFileSync(dir, 'not a directory')
    await expectEngineError(engine.read(key, now), 'ENOTDIR', key)
    await expectEngineError(engine.create(key, rec()), 'ENOTDIR', key)
    await expectEngineError(engine.update(key, rec('{}', 2), 1), 'ENOTDIR', key)
    await expectEngineError(engine.destroy(key), 'ENOTDIR', key)
    await expectEngineError(engine.touch!(key, later), 'ENOTDIR', key)
    await expectEngineError(engine.purgeExpired!(now), 'ENOTDIR', key)
    await expectEngineError(engine.listUser!('ada', now), 'ENOTDIR', key)
    await expectEngineError(engine.destroyUser!('ada'), 'ENOTDIR', key)
    await expectEngineError(engine.stats!(now), 'ENOTDIR', key)
  })

  it('a signed-in session is not created when its index entry cannot be written (the index directory is a file)', async () => {
    const dir = join(tempRoot('errors'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    writeFileSync(join(dir, '.users-sess_'), 'not a directory')
    await expectEngineError(engine.create(key, { ...rec(), userId: 'ada', handle: sessionHandle(key) }), 'ENOTDIR', key)
    expect(readdirSync(dir)).toEqual(['.users-sess_'])
    const anonymous = generateSessionKey()
    await engine.create(anonymous, rec())
    await expectEngineError(
      engine.update(anonymous, { ...rec('{}', 2), userId: 'ada', handle: sessionHandle(anonymous) }, 1),
      'ENOTDIR',
      key,
    )
    expect(await engine.read(anonymous, now)).toEqual(rec())
  })

  it('EISDIR: a directory where a session file should be is an error, not a miss', async () => {
    const dir = join(tempRoot('errors'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    mkdirSync(join(dir, `sess_${digest(key)}`))
    await expectEngineError(engine.read(key, now), 'EISDIR', key)
    await expectEngineError(engine.update(key, rec('{}', 2), 1), 'EISDIR', key)
  })

  it('EACCES: a process without permission on the directory gets errors for everything but a miss', async () => {
    const root = tempRoot('eacces')
    chmodSync(root, 0o755)
    const dir = join(root, 'sessions')
    const engine = fileEngine({ dir })
    const readable = generateSessionKey()
    await engine.create(readable, rec())
    // Root ignores permission bits: as root the probe runs as the unprivileged user "nobody" against a
    // directory it cannot write and a file it cannot read; otherwise as this user, with the bits removed.
    const asRoot = process.getuid?.() === 0
    chmodSync(dir, asRoot ? 0o755 : 0o555)
    if (!asRoot) chmodSync(join(dir, `sess_${digest(readable)}`), 0o000)
    onTestFinished(() => chmodSync(dir, 0o700))
    const out = await runChild({ mode: 'probe', dir, readable, missingKey: generateSessionKey() }, asRoot ? { uid: 65534, gid: 65534 } : {})
    const result = JSON.parse(out) as Record<string, { ok: boolean; code?: string; cause?: string; message?: string; value?: unknown }>
    expect(result.readMissing).toEqual({ ok: true, value: null })
    for (const action of ['read', 'create', 'update', 'destroy', 'purge']) {
      expect(result[action], action).toMatchObject({ ok: false, code: 'ENGINE', cause: 'EACCES' })
      expect(result[action]!.message).not.toContain(readable)
    }
    if (!asRoot) chmodSync(join(dir, `sess_${digest(readable)}`), 0o600)
    expect(await engine.read(readable, now)).toEqual(rec())
  })

  it('ENOSPC: on a full filesystem a save fails, the previous version stays whole, no temp file is left', async () => {
    // A real full disk: a 64 KiB tmpfs (mounting needs CAP_SYS_ADMIN, which the test machine's root has).
    const mountPoint = join(tempRoot('enospc'), 'small-disk')
    mkdirSync(mountPoint)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'tmpfs', mountPoint])
    onTestFinished(() => {
      execFileSync('umount', [mountPoint])
    })
    const dir = join(mountPoint, 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, rec('{"small":true}'))
    // Fill what is left of the disk.
    const filler = openSync(join(mountPoint, 'filler'), 'w')
    try {
      for (;;) writeSync(filler, Buffer.alloc(4096))
    } catch (error) {
      expect((error as { code?: string }).code).toBe('ENOSPC')
    } finally {
      closeSync(filler)
    }
    await expectEngineError(engine.update(key, rec(JSON.stringify({ blob: 'x'.repeat(16 * 1024) }), 2), 1), 'ENOSPC', key)
    await expectEngineError(engine.create(generateSessionKey(), rec(JSON.stringify({ blob: 'y'.repeat(16 * 1024) }))), 'ENOSPC', key)
    expect(await engine.read(key, now)).toEqual(rec('{"small":true}'))
    expect(readdirSync(dir)).toEqual([`sess_${digest(key)}`])
  })

  it('EFBIG (a file-size limit): a write that does not fit fails, the previous version stays whole, no temp file is left', async () => {
    const dir = join(tempRoot('efbig'), 'sessions')
    const engine = fileEngine({ dir })
    const key = generateSessionKey()
    await engine.create(key, rec('{"small":true}'))
    // 16 blocks of 512 bytes: the child may not write a file larger than 8 KiB.
    const out = await runChild({ mode: 'grow', dir, key, bytes: 64 * 1024 }, { fileSizeLimitBlocks: 16 })
    expect(JSON.parse(out)).toEqual({ ok: false, code: 'ENGINE', cause: 'EFBIG' })
    expect(await engine.read(key, now)).toEqual(rec('{"small":true}'))
    expect(readdirSync(dir)).toEqual([`sess_${digest(key)}`])
  })
})
