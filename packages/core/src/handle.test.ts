import { describe, expect, it } from 'vitest'
import { isSessionHandle, sessionHandle, sessionHandleInJs } from './handle.js'
import { generateSessionKey } from './keys.js'

describe('sessionHandle', () => {
  it("Node's native hash and the pure JavaScript one give the same 16 base64url characters", () => {
    expect(sessionHandle).not.toBe(sessionHandleInJs) // this test runs on Node ≥ 20.16: the native path is taken
    for (let i = 0; i < 2000; i++) {
      const key = generateSessionKey()
      const handle = sessionHandle(key)
      expect(handle).toBe(sessionHandleInJs(key))
      expect(isSessionHandle(handle)).toBe(true)
    }
  })

  it('is a known SHA-256 prefix, never the key, and differs per key', () => {
    // SHA-256("sess.handle:" + "a" × 32), first 12 bytes in base64url (computed with openssl's sha256 independently).
    const key = 'a'.repeat(32)
    expect(sessionHandle(key)).toBe('8B4p22BhnQn6ru_6')
    expect(sessionHandleInJs(key)).toBe('8B4p22BhnQn6ru_6')
    const handles = new Set(Array.from({ length: 1000 }, () => sessionHandle(generateSessionKey())))
    expect(handles.size).toBe(1000)
  })
})
