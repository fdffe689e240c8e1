import { describe, expect, it } from 'vitest'
import { signedCookie } from './node.js'

const key = 'abcdefghijklmnopqrstuvwxyz012345'
const secret = 'node-sealer-test-secret-0123456789-abcdefghij'
const record = { payload: '{"d":{"count":1},"c":1}', expiresAt: new Date(Date.UTC(2031, 0, 1)), version: 1 }

describe('the node:crypto sealer draws random bytes for many seals at once', () => {
  it('gives every seal its own iv and salts, across several refills of the pool, and every seal opens', async () => {
    const store = signedCookie({ secrets: secret })
    const seals: string[] = []
    for (let i = 0; i < 200; i++) seals.push(await store.cookieValue(key, record)) // 64 seals per draw: 4 draws
    // Fe26.2*id*encryptionSalt*iv*ciphertext**hmacSalt*hmac
    const parts = seals.map((seal) => seal.split('*'))
    for (const index of [2, 3, 6]) expect(new Set(parts.map((p) => p[index])).size).toBe(200)
    for (const seal of seals) expect(await store.load(seal, new Date(Date.UTC(2030, 0, 1)))).not.toBeNull()
  })
})
