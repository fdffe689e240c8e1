import { createHash } from 'node:crypto'
import { generateSessionKey } from '@sess/core/engine'
import { describe, expect, it } from 'vitest'
import { keyDigest, keyDigestInJs, newKeyDigest } from './key-digest.js'

/** The first 128 bits of the SHA-256 of `key`, as four little-endian 32-bit words. */
const expected = (key: string): number[] => {
  const digest = createHash('sha256').update(key).digest()
  return [0, 4, 8, 12].map((offset) => digest.readInt32LE(offset))
}

describe('the key digest', () => {
  it('is the first 128 bits of the SHA-256, the same from Node’s native hash and from the pure-JS one workers use', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateSessionKey()
      expect([...keyDigest(key, newKeyDigest())]).toEqual(expected(key))
      expect([...keyDigestInJs(key, newKeyDigest())]).toEqual(expected(key))
    }
    expect([...keyDigestInJs('', newKeyDigest())]).toEqual(expected(''))
    expect([...keyDigest('ü€😀', newKeyDigest())]).toEqual(expected('ü€😀'))
    expect([...keyDigestInJs('ü€😀', newKeyDigest())]).toEqual(expected('ü€😀'))
  })

  it('writes into the array it is given and returns it', () => {
    const out = newKeyDigest()
    expect(keyDigest('a'.repeat(32), out)).toBe(out)
    expect([...out]).toEqual(expected('a'.repeat(32)))
  })
})
