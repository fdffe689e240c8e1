import { isSessionError } from '@sess/core'
import { generateSessionKey } from '@sess/core/engine'
import { hostileKeys } from '@sess/engine-tests'
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { rec, snapshot, tempRoot, now } from './test-dirs.js'

const extraHostile = [
  '../sentinel/keep',
  '../x\u0000',
  '..%2f..%2fetc',
  '/abs',
  '/etc/passwd',
  'CON',
  'sess_../x',
  `${'a'.repeat(31)}/`,
  'A'.repeat(32),
  'a'.repeat(33),
  `../${'a'.repeat(29)}`,
  '.lock-x',
  '.tmp-x',
]

describe('file: the key grammar is checked before any file-system call', () => {
  it('hostile keys touch nothing inside or outside the directory', async () => {
    const root = tempRoot('keys')
    const dir = join(root, 'sessions')
    mkdirSync(join(root, 'sentinel'))
    // Valid records outside the directory: an engine that let a key reach the file system would find them.
    const planted = JSON.stringify({ payload: '{"planted":true}', expiresAt: later(), version: 1 })
    writeFileSync(join(root, 'sentinel', 'keep'), planted)
    writeFileSync(join(root, 'x'), planted)
    // With an empty prefix, "../x" would name root/x exactly.
    const engine = fileEngine({ dir, prefix: '' })
    const live = generateSessionKey()
    await engine.create(live, rec('{"live":true}'))
    const before = snapshot(root)
    for (const key of [...hostileKeys, ...extraHostile]) {
      const label = JSON.stringify(key.slice(0, 24))
      expect(await engine.read(key, now), `read ${label}`).toBeNull()
      const created = await engine.create(key, rec()).then(
        () => null,
        (e: unknown) => e,
      )
      expect(isSessionError(created, 'DATA'), `create ${label}`).toBe(true)
      const updated = await engine.update(key, rec('{}', 2), 1).then(
        () => null,
        (e: unknown) => e,
      )
      expect(isSessionError(updated, 'NOT_FOUND'), `update ${label}`).toBe(true)
      await engine.destroy(key)
      await engine.touch!(key, new Date(Date.UTC(2040, 0, 1)))
    }
    expect(snapshot(root)).toEqual(before)
    expect(readdirSync(join(root, 'sentinel'))).toEqual(['keep'])
    expect((await engine.read(live, now))?.payload).toBe('{"live":true}')
  })

  it('a hostile key is refused even when a file with that name exists in the directory', async () => {
    const root = tempRoot('keys')
    const dir = join(root, 'sessions')
    mkdirSync(dir)
    writeFileSync(join(dir, 'sess_CON'), JSON.stringify({ payload: '{"planted":true}', expiresAt: later(), version: 1 }))
    const engine = fileEngine({ dir })
    expect(await engine.read('CON', now)).toBeNull()
  })
})

function later(): number {
  return Date.UTC(2031, 0, 1)
}
