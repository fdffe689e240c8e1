import { readFileSync } from 'node:fs'
import * as nodeCrypto from 'node:crypto'
import { createSessions } from '@sess/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { signedCookie as webSignedCookie } from './index.js'
import { signedCookie as nodeSignedCookie } from './node.js'
import { SECRET_A } from './test-extras.js'

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>()
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) }
})

afterEach(() => {
  vi.restoreAllMocks()
  vi.mocked(nodeCrypto.timingSafeEqual).mockClear()
})

/** A saved session's cookie, and the same cookie with one character inside its MAC changed (same length, canonical base64url). */
async function sealedAndTampered(
  create: typeof nodeSignedCookie,
): Promise<{ sessions: ReturnType<typeof createSessions>; good: string; bad: string }> {
  const sessions = createSessions({ engine: create({ secrets: SECRET_A }) })
  const session = sessions.load(undefined)
  await session.set('user', 'ada')
  const { setCookie } = await sessions.commit(session)
  const good = setCookie[0]!.split(';')[0]!
  const at = good.length - 10 // inside the 43-character MAC, away from its last (partial) character
  const swapped = good[at] === 'A' ? 'B' : 'A'
  return { sessions, good, bad: good.slice(0, at) + swapped + good.slice(at + 1) }
}

describe('T7: MACs are compared in constant time', () => {
  it('node:crypto: every unseal compares the MAC with timingSafeEqual, for a valid and for a forged seal', async () => {
    const spy = vi.mocked(nodeCrypto.timingSafeEqual)
    const { sessions, good, bad } = await sealedAndTampered(nodeSignedCookie)
    spy.mockClear()
    expect(await sessions.load(good).get('user')).toBe('ada')
    expect(spy).toHaveBeenCalledTimes(1)
    spy.mockClear()
    expect(await sessions.load(bad).get('user')).toBeUndefined()
    expect(spy).toHaveBeenCalledTimes(1)
  })

  it('Web Crypto: every unseal verifies the MAC with crypto.subtle.verify, for a valid and for a forged seal', async () => {
    const verify = vi.spyOn(crypto.subtle, 'verify')
    const { sessions, good, bad } = await sealedAndTampered(webSignedCookie)
    verify.mockClear()
    expect(await sessions.load(good).get('user')).toBe('ada')
    expect(verify).toHaveBeenCalledTimes(1)
    verify.mockClear()
    expect(await sessions.load(bad).get('user')).toBeUndefined()
    expect(verify).toHaveBeenCalledTimes(1)
  })

  it('no sealer compares a MAC with === or !== (static check of the sources)', () => {
    for (const file of ['node-sealer.ts', 'web-sealer.ts', 'store.ts', 'format.ts']) {
      const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8')
      expect(source, file).not.toMatch(/\w*mac\w*\s*[!=]==|[!=]==\s*\w*mac\w*/i)
    }
  })
})
