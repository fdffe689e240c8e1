import type { SessionRecord } from '@sess/core/engine'
import { defaults, unseal as ironUnseal } from 'iron-webcrypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { signedCookie as webCookie } from './index.js'
import { signedCookie as nodeCookie } from './node.js'
import { SECRET_A, SECRET_B, SECRET_C, sealText } from './test-extras.js'

const now = new Date(Date.UTC(2030, 0, 1))
const key = 'abcdefghijklmnopqrstuvwxyz012345'
const record = (payload: string, version = 1): SessionRecord => ({ payload, expiresAt: new Date(now.getTime() + 3_600_000), version })
const payloads = [
  '{"d":{},"c":0}',
  '{"d":{"user":"Zoë 🐍","n":[1,2,3]},"c":1893456000000,"e":300}',
  `{"d":{"blob":"${'x'.repeat(3000)}"},"c":0}`,
]
const old = [{ id: 'k1', password: SECRET_A }]
const rotated = [
  { id: 'k2', password: SECRET_B },
  { id: 'k1', password: SECRET_A },
]
const impls = { node: nodeCookie, webcrypto: webCookie }

/** A deterministic stand-in for the CSPRNG, so both implementations can be fed the same "random" bytes. */
function fixedRandom(seed: number) {
  let state = seed
  return <T extends ArrayBufferView | null>(array: T): T => {
    const bytes = new Uint8Array(array!.buffer, array!.byteOffset, array!.byteLength)
    for (let i = 0; i < bytes.length; i++) {
      state = (state * 1_103_515_245 + 12_345) >>> 0
      bytes[i] = state >>> 24
    }
    return array
  }
}

afterEach(() => {
  vi.restoreAllMocks()
})

describe('node:crypto and iron-webcrypto interoperate', () => {
  for (const [sealName, seal] of Object.entries(impls)) {
    for (const [openName, open] of Object.entries(impls)) {
      it(`${sealName} seals, ${openName} unseals (same secret, and after rotation)`, async () => {
        for (const [i, payload] of payloads.entries()) {
          const value = await seal({ secrets: old }).cookieValue(key, record(payload, i + 1))
          expect(await open({ secrets: old }).load(value, now)).toEqual({ key, record: record(payload, i + 1) })
          // Rotated: k2 seals now, k1 seals still open and ask to be re-sealed.
          expect(await open({ secrets: rotated }).load(value, now)).toEqual({ key, record: record(payload, i + 1), reissue: true })
          const resealed = await seal({ secrets: rotated }).cookieValue(key, record(payload))
          expect(resealed.startsWith('Fe26.2*k2*')).toBe(true)
          expect(await open({ secrets: rotated }).load(resealed, now)).toEqual({ key, record: record(payload) })
          // k1 removed: its seals read as nothing, k2's still open.
          expect(await open({ secrets: [{ id: 'k2', password: SECRET_B }] }).load(value, now)).toBeNull()
          expect(await open({ secrets: [{ id: 'k2', password: SECRET_B }] }).load(resealed, now)).not.toBeNull()
          expect(await open({ secrets: [{ id: 'k2', password: SECRET_C }] }).load(resealed, now)).toBeNull()
        }
      })
    }
  }

  it('byte for byte: from the same random bytes both implementations produce the same seal', async () => {
    for (const [i, payload] of payloads.entries()) {
      const spy = vi.spyOn(globalThis.crypto, 'getRandomValues')
      spy.mockImplementation(fixedRandom(i + 1) as typeof crypto.getRandomValues)
      const fromNode = await nodeCookie({ secrets: rotated }).cookieValue(key, record(payload))
      spy.mockImplementation(fixedRandom(i + 1) as typeof crypto.getRandomValues)
      const fromWeb = await webCookie({ secrets: rotated }).cookieValue(key, record(payload))
      spy.mockRestore()
      expect(fromNode).toBe(fromWeb)
    }
    // Real randomness: two seals of the same record differ.
    const a = await nodeCookie({ secrets: old }).cookieValue(key, record(payloads[0]!))
    const b = await nodeCookie({ secrets: old }).cookieValue(key, record(payloads[0]!))
    expect(a).not.toBe(b)
  })

  it('the node:crypto seal is standard iron: plain iron-webcrypto opens it, and it opens plain iron seals', async () => {
    const value = await nodeCookie({ secrets: old }).cookieValue(key, record(payloads[1]!))
    const plaintext = await ironUnseal(value.slice(0, -2), { k1: SECRET_A }, { ...defaults, decode: (t) => t })
    expect(JSON.parse(plaintext as string)).toEqual({ v: 1, k: key, e: now.getTime() + 3_600_000, n: 1, p: payloads[1] })
    const foreign = await sealText(plaintext as string, 'k1', SECRET_A)
    expect(await nodeCookie({ secrets: old }).load(foreign, now)).toEqual({ key, record: record(payloads[1]!) })
  })
})
