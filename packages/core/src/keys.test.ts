import { afterEach, describe, expect, it, vi } from 'vitest'
import { generateSessionKey, isSessionKey } from './keys.js'

describe('generateSessionKey', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('makes 32 characters of [a-z0-9], all different', () => {
    const keys = new Set(Array.from({ length: 5000 }, generateSessionKey))
    expect(keys.size).toBe(5000)
    for (const key of keys) expect(key).toMatch(/^[a-z0-9]{32}$/)
  })

  it('uses every character of the alphabet', () => {
    const seen = new Set(Array.from({ length: 200 }, generateSessionKey).join(''))
    expect(seen.size).toBe(36)
  })

  it('rejects bytes ≥ 252 (no modulo bias) and draws again', () => {
    let call = 0
    vi.spyOn(crypto, 'getRandomValues').mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      const bytes = array as unknown as Uint8Array
      // First draw: only biased bytes (252..255) and 8 usable zeros; second draw: 1s.
      bytes.fill(call === 0 ? 252 : 1)
      if (call === 0) for (let i = 0; i < 8; i++) bytes[i * 5] = 0
      call++
      return array
    })
    expect(generateSessionKey()).toBe('a'.repeat(8) + 'b'.repeat(24))
    expect(call).toBe(2)
  })
})

describe('isSessionKey', () => {
  it('accepts exactly the key grammar', () => {
    expect(isSessionKey('abcdefghijklmnopqrstuvwxyz012345')).toBe(true)
    for (const bad of [
      '',
      'short',
      'A'.repeat(32),
      'a'.repeat(31),
      'a'.repeat(33),
      '../'.padEnd(32, 'a'),
      `${'a'.repeat(31)}\n`,
      `${'a'.repeat(31)}\u0000`,
      null,
      undefined,
      42,
      {},
    ]) {
      expect(isSessionKey(bad)).toBe(false)
    }
  })
})
