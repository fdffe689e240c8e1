import { createHash } from 'node:crypto'
import { generateSessionKey } from '@sess/core/engine'
import { describe, expect, it } from 'vitest'
import { keyDigest, keyDigestInJs } from './key-digest.js'

describe('the key digest', () => {
  it('is the SHA-256 in base64, the same from Node’s native hash and from the pure-JS one workers use', () => {
    for (let i = 0; i < 200; i++) {
      const key = generateSessionKey()
      const expected = createHash('sha256').update(key).digest('base64')
      expect(keyDigest(key)).toBe(expected)
      expect(keyDigestInJs(key)).toBe(expected)
    }
    expect(keyDigestInJs('')).toBe(createHash('sha256').update('').digest('base64'))
  })
})
