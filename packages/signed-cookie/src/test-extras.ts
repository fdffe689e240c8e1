import { createSessions, isSessionError, type SessionError, type SessionsOptions } from '@sess/core'
import { richSerializer } from '@sess/core/rich'
import { CookieJar, createHarness, expectSessionError, ManualClock, type Harness } from '@sess/engine-tests'
import { defaults, seal as ironSeal, unseal as ironUnseal } from 'iron-webcrypto'
import { expect, it } from 'vitest'
import type { RevocationInfo, SignedCookieOptions } from './options.js'
import type { SignedCookieStore } from './store.js'

/** Test secrets (never use these anywhere else). */
export const SECRET_A = 'a-very-long-test-password-of-at-least-32-characters'
export const SECRET_B = 'another-test-password-that-is-long-enough-0123456789'
export const SECRET_C = 'a-third-test-password-long-enough-for-iron-abcdefgh'

type Make = (options: SignedCookieOptions) => SignedCookieStore
type Data = Record<string, unknown>

const COOKIE = 'sessionid'
const SEAL_SHAPE = /^Fe26\.2\*\w+\*[0-9a-f]{64}\*[\w-]{22}\*[\w-]+\*\*[0-9a-f]{64}\*[\w-]{43}~1$/

/** A valid seal around arbitrary plaintext, made with iron-webcrypto itself (for junk that authenticates). */
export async function sealText(plaintext: string, id: string, password: string): Promise<string> {
  return `${await ironSeal(plaintext, { id, secret: password }, { ...defaults, encode: (t) => t as string })}~1`
}

async function sealedCookie(h: Harness<Data>, data: Data): Promise<{ jar: CookieJar; value: string }> {
  const jar = new CookieJar()
  await h.request(jar, (s) => s.update(data))
  return { jar, value: jar.get(COOKIE)! }
}

async function readUser(h: Harness<Data>, header: string): Promise<unknown> {
  const session = h.sessions.load(header)
  const user = await session.get('user')
  await h.sessions.commit(session)
  return user
}

/** The cases every implementation of the signed-cookie store passes, beyond the store conformance suite. */
export function signedCookieExtras(make: Make, implementation: SignedCookieStore['implementation']): void {
  const harness = (options: SignedCookieOptions, extra: Partial<SessionsOptions> = {}, clock = new ManualClock()) =>
    createHarness<Data>(make(options), { now: clock.now, ...extra })

  it(`uses the ${implementation} implementation and declares no server-side revocation`, () => {
    const store = make({ secrets: SECRET_A })
    expect(store.implementation).toBe(implementation)
    expect(store.revocable).toBe(false)
    expect(store.chunking).toBe(false)
    expect(store.name).toBe('signed-cookie')
  })

  it('refuses bad options at start-up with SessionError(CONFIG), never echoing a password', () => {
    const short = 'x'.repeat(31)
    const cases: unknown[] = [
      undefined,
      {},
      { secrets: short },
      { secrets: [] },
      { secrets: [{ id: 'a', password: short }] },
      { secrets: [{ id: 'a b', password: SECRET_A }] },
      { secrets: [{ id: '', password: SECRET_A }] },
      {
        secrets: [
          { id: 'a', password: SECRET_A },
          { id: 'a', password: SECRET_B },
        ],
      },
      { secrets: [{ id: 'a', password: 42 }] },
      { secrets: [SECRET_A] },
      { secrets: SECRET_A, chunking: 'yes' },
      { secrets: SECRET_A, isRevoked: true },
      { secrets: SECRET_A, onDestroy: 'log' },
    ]
    for (const options of cases) {
      let error: unknown
      try {
        make(options as SignedCookieOptions)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG'), JSON.stringify(options)).toBe(true)
      expect((error as Error).message).toMatch(/^\[@sess\/signed-cookie\] /)
      expect((error as Error).message).not.toContain(short)
      expect((error as Error).message).not.toContain(SECRET_A)
    }
    expect(() => make({ secrets: 'x'.repeat(32) })).not.toThrow()
  })

  it('seals: the cookie is an iron Fe26.2 seal of the data, which it does not reveal; one string secret has id 1', async () => {
    const h = harness({ secrets: SECRET_A })
    // A long marker: random seal text cannot contain it by chance (a short one like 'ada' did in ~3 % of runs).
    const marker = 'ada-lovelace-marker-7f3c9e1b2d4a6f80'
    const { value } = await sealedCookie(h, { user: marker })
    expect(value).toMatch(SEAL_SHAPE)
    expect(value.startsWith('Fe26.2*1*')).toBe(true)
    expect(value).not.toContain(marker)
    // Nor the data in base64url (an unencrypted seal would carry it so), at any of the three alignments.
    for (const prefix of ['', 'x', 'xx']) {
      const encoded = btoa(prefix + JSON.stringify({ user: marker }))
        .replace(/\+/g, '-')
        .replace(/\//g, '_')
      expect(value).not.toContain(encoded.slice(4, 28))
    }
    expect(h.store.wellFormed(value)).toBe(true)
    expect(await readUser(h, `${COOKIE}=${value}`)).toBe(marker)
    // Every save seals afresh: random salts and iv.
    const again = await sealedCookie(h, { user: 'ada-lovelace' })
    expect(again.value).not.toBe(value)
  })

  it('rotation: a cookie sealed with an older secret is read and re-sealed with the newest on that response', async () => {
    const clock = new ManualClock()
    const before = harness({ secrets: [{ id: 'k1', password: SECRET_A }] }, {}, clock)
    const { jar, value } = await sealedCookie(before, { user: 'ada' })
    expect(value.startsWith('Fe26.2*k1*')).toBe(true)
    const rotated = harness(
      {
        secrets: [
          { id: 'k2', password: SECRET_B },
          { id: 'k1', password: SECRET_A },
        ],
      },
      {},
      clock,
    )
    // An untouched request costs nothing, even with an old seal.
    expect((await rotated.request(jar, () => undefined)).headers.setCookie).toEqual([])
    const { result, headers } = await rotated.request(jar, (s) => s.get('user'))
    expect(result).toBe('ada')
    expect(headers.setCookie).toHaveLength(1)
    const resealed = jar.get(COOKIE)!
    expect(resealed.startsWith('Fe26.2*k2*')).toBe(true)
    // A later request with the new seal is not reissued again.
    expect((await rotated.request(jar, (s) => s.get('user'))).headers.setCookie).toEqual([])
    // Once k1 is removed, its cookies read as empty sessions (and are removed); k2 cookies still work.
    const after = harness({ secrets: [{ id: 'k2', password: SECRET_B }] }, {}, clock)
    const old = after.sessions.load(`${COOKIE}=${value}`)
    expect(await old.get('user')).toBeUndefined()
    expect(old.key).toBeNull()
    const { setCookie } = await after.sessions.commit(old)
    expect(setCookie.some((c) => c.startsWith(`${COOKIE}=;`) && c.includes('Max-Age=0'))).toBe(true)
    expect(await readUser(after, `${COOKIE}=${resealed}`)).toBe('ada')
  })

  it('a secret with the same id but another password does not open the seal', async () => {
    const h = harness({ secrets: [{ id: 'k1', password: SECRET_A }] })
    const { value } = await sealedCookie(h, { user: 'ada' })
    const other = harness({ secrets: [{ id: 'k1', password: SECRET_B }] })
    expect(await readUser(other, `${COOKIE}=${value}`)).toBeUndefined()
  })

  it('the expiry is inside the seal: replaying the cookie past it (whatever Expires/Max-Age said) gives an empty session', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: SECRET_A }, { maxAge: 60 }, clock)
    const { value } = await sealedCookie(h, { user: 'ada' })
    const store = make({ secrets: SECRET_A })
    expect((await store.load(value, clock.now()))?.record.expiresAt.getTime()).toBe(clock.now().getTime() + 60_000)
    clock.advance(59)
    expect(await readUser(h, `${COOKIE}=${value}`)).toBe('ada')
    clock.advance(1)
    expect(await store.load(value, clock.now())).toBeNull()
    expect(await readUser(h, `${COOKIE}=${value}`)).toBeUndefined()
  })

  it('the absolute timeout is inside the seal too: a cookie renewed every minute dies at absoluteMaxAge', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: SECRET_A }, { maxAge: 600, absoluteMaxAge: 1800, saveEveryRequest: true }, clock)
    const { jar } = await sealedCookie(h, { user: 'ada' })
    for (let i = 0; i < 29; i++) {
      clock.advance(60)
      await h.request(jar, () => undefined)
    }
    const last = jar.get(COOKIE)!
    expect(await readUser(h, `${COOKIE}=${last}`)).toBe('ada')
    clock.advance(60)
    expect(await readUser(h, `${COOKIE}=${last}`)).toBeUndefined()
  })

  it('flipping any single byte of a valid seal gives an empty session, never an exception (every position)', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: SECRET_A }, {}, clock)
    const { value } = await sealedCookie(h, { user: 'ada' })
    const store = make({ secrets: SECRET_A })
    expect((await store.load(value, clock.now()))?.key).toMatch(/^[a-z0-9]{32}$/)
    let checked = 0
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i)
      const replacements = new Set([code ^ 0x01, code ^ 0x20, code === 0x41 ? 0x42 : 0x41])
      for (const replacement of replacements) {
        const tampered = value.slice(0, i) + String.fromCharCode(replacement) + value.slice(i + 1)
        expect(await store.load(tampered, clock.now()), `position ${i} → ${String.fromCharCode(replacement)}`).toBeNull()
        expect(await readUser(h, `${COOKIE}=${tampered}`)).toBeUndefined()
        checked++
      }
    }
    expect(checked).toBeGreaterThan(value.length * 2)
  })

  it('junk gives an empty session: part counts, bad or non-canonical base64, foreign plaintext, wrong format versions', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: [{ id: 'k1', password: SECRET_A }] }, {}, clock)
    const store = make({ secrets: [{ id: 'k1', password: SECRET_A }] })
    const { value } = await sealedCookie(h, { user: 'ada' })
    const body = value.slice(0, -2)
    const parts = body.split('*')
    const hmac = parts[7]!
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // The last HMAC character carries 2 unused bits: this spelling decodes to the very same bytes.
    const sameBytes = body.slice(0, -1) + alphabet[alphabet.indexOf(hmac.at(-1)!) + 1]!
    await expect(ironUnseal(sameBytes, { k1: SECRET_A }, { ...defaults, decode: (t) => t })).resolves.toBeTypeOf('string')
    const key = (await store.load(value, clock.now()))!.key
    const record = (fields: Record<string, unknown>) =>
      JSON.stringify({ v: 1, k: key, e: clock.now().getTime() + 60_000, n: 1, p: '{"d":{"user":"eve"},"c":0}', ...fields })
    const junk: Record<string, string> = {
      empty: '',
      'iron without trailer': body,
      'trailer ~2': `${body}~2`,
      'trailer ~10': `${body}~10`,
      'double trailer': `${value}~1`,
      'seven parts': `${parts.slice(0, 7).join('*')}~1`,
      'nine parts': `${[...parts, 'x'].join('*')}~1`,
      'extra part in front': `${['x', ...parts].join('*')}~1`,
      'wrong prefix Fe26.1': `${['Fe26.1', ...parts.slice(1)].join('*')}~1`,
      'iron expiration set': `${[...parts.slice(0, 5), String(clock.now().getTime() + 1e9), ...parts.slice(6)].join('*')}~1`,
      'upper-case hex salt': `${[...parts.slice(0, 2), parts[2]!.toUpperCase(), ...parts.slice(3)].join('*')}~1`,
      'standard base64 alphabet':
        value
          .replace(/-/g, '+')
          .replace(/_/g, '/')
          .replace(/\*\w+\*/, (m) => m) + (value.includes('-') || value.includes('_') ? '' : '+'),
      'padded base64': `${[...parts.slice(0, 7), `${hmac}=`].join('*')}~1`,
      'non-canonical hmac spelling': `${sameBytes}~1`,
      'ciphertext not whole blocks': `${[...parts.slice(0, 4), parts[4]!.slice(0, -4), ...parts.slice(5)].join('*')}~1`,
      truncated: value.slice(0, value.length / 2),
      huge: value + 'A'.repeat(60_000),
      unicode: value.replace('Fe26', 'Fé26'),
    }
    const foreign: Record<string, string> = {
      'non-JSON plaintext': 'not json at all',
      'JSON null': 'null',
      'JSON array': '[1,2]',
      'format version 2 inside': record({ v: 2 }),
      'no version inside': record({ v: undefined }),
      'key of the wrong grammar': record({ k: '../../etc/passwd' }),
      'expiry not a number': record({ e: 'tomorrow' }),
      'version 0': record({ n: 0 }),
      'payload not a string': record({ p: { d: {} } }),
      'expired record': record({ e: clock.now().getTime() }),
    }
    for (const [label, plaintext] of Object.entries(foreign)) junk[label] = await sealText(plaintext, 'k1', SECRET_A)
    junk['sealed by an unknown secret id'] = await sealText(record({}), 'k9', SECRET_A)
    // A correct record sealed by iron-webcrypto is accepted: the junk above fails for the stated reason only.
    expect(await readUser(h, `${COOKIE}=${await sealText(record({}), 'k1', SECRET_A)}`)).toBe('eve')
    for (const [label, cookie] of Object.entries(junk)) {
      expect(await store.load(cookie, clock.now()), label).toBeNull()
      const session = h.sessions.load(`${COOKIE}=${cookie}`)
      expect(await session.get('user'), label).toBeUndefined()
      expect(session.key, label).toBeNull()
      await h.sessions.commit(session)
    }
  })

  it('a payload core cannot parse reads as an empty session', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: [{ id: 'k1', password: SECRET_A }] }, {}, clock)
    const plaintext = JSON.stringify({ v: 1, k: 'a'.repeat(32), e: clock.now().getTime() + 60_000, n: 1, p: 'not core json' })
    expect(await readUser(h, `${COOKIE}=${await sealText(plaintext, 'k1', SECRET_A)}`)).toBeUndefined()
  })

  it('without chunking, a session over 4096 bytes fails with COOKIE_TOO_LARGE before any header is sent', async () => {
    const h = harness({ secrets: SECRET_A })
    const jar = new CookieJar()
    await h.request(jar, (s) => s.set('user', 'ada'))
    const session = h.sessions.load(jar.header())
    await session.set('blob', 'x'.repeat(4000))
    await expectSessionError(Promise.resolve(h.sessions.commit(session)), 'COOKIE_TOO_LARGE')
    expect(await readUser(h, jar.header()!)).toBe('ada')
  })

  it('with chunking, a large session is split into sessionid.0 … N, read back, and stale chunks are expired as it shrinks', async () => {
    // A bound raised to 10 full chunks (a server that accepts large headers); the default is 6 KiB, below.
    const h = harness({ secrets: SECRET_A, chunking: true }, { cookie: { maxBytes: 40_960 } })
    expect(h.store.chunking).toBe(true)
    const jar = new CookieJar()
    const blob = Array.from({ length: 900 }, (_, i) => (i * 7919).toString(36))
      .join('|')
      .repeat(4) // ~16 KB
    // With the default cookie.maxBytes, the same session is refused before any header is sent.
    const strict = harness({ secrets: SECRET_A, chunking: true })
    const refused = await strict
      .request(new CookieJar(), (s) => s.set('blob', blob))
      .then(
        () => null,
        (error: unknown) => error,
      )
    expect(isSessionError(refused, 'COOKIE_TOO_LARGE')).toBe(true)
    const { headers } = await h.request(jar, async (s) => {
      await s.set('user', 'ada')
      await s.set('blob', blob)
    })
    const names = [...jar.cookies.keys()].sort()
    expect(names.length).toBeGreaterThan(4)
    expect(names).toEqual(names.map((_, i) => `${COOKIE}.${i}`).sort())
    for (const line of headers.setCookie) expect(line.split(';')[0]!.length).toBeLessThanOrEqual(4096)
    expect((await h.request(jar, (s) => s.get('blob'))).result === blob).toBe(true)
    // Shrink to two chunks: the others are expired.
    await h.request(jar, (s) => s.set('blob', blob.slice(0, 5000)))
    expect([...jar.cookies.keys()].sort()).toEqual([`${COOKIE}.0`, `${COOKIE}.1`])
    expect((await h.request(jar, (s) => s.get('blob'))).result === blob.slice(0, 5000)).toBe(true)
    // Shrink to one cookie: back to plain sessionid, every chunk expired.
    await h.request(jar, (s) => s.delete('blob'))
    expect([...jar.cookies.keys()]).toEqual([COOKIE])
    expect((await h.request(jar, (s) => s.get('user'))).result).toBe('ada')
    // Logout from a chunked session expires every chunk.
    const chunked = new CookieJar()
    await h.request(chunked, (s) => s.set('blob', blob))
    expect(chunked.cookies.size).toBeGreaterThan(4)
    await h.request(chunked, (s) => s.flush())
    expect(chunked.cookies.size).toBe(0)
    // A tampered chunk spoils the whole session, and every chunk is removed.
    const big = new CookieJar()
    await h.request(big, (s) => s.set('blob', blob))
    const chunk = big.get(`${COOKIE}.1`)!
    big.cookies.get(`${COOKIE}.1`)!.value = chunk.slice(0, 10) + (chunk[10] === 'A' ? 'B' : 'A') + chunk.slice(11)
    const { result, headers: removal } = await h.request(big, (s) => s.get('blob'))
    expect(result).toBeUndefined()
    expect(big.cookies.size).toBe(0)
    expect(removal.setCookie.length).toBeGreaterThan(4)
  })

  it('with chunking, more than 10 chunks is still COOKIE_TOO_LARGE', async () => {
    const h = harness({ secrets: SECRET_A, chunking: true })
    const session = h.sessions.load(undefined)
    await session.set('blob', 'y'.repeat(45_000))
    await expectSessionError(Promise.resolve(h.sessions.commit(session)), 'COOKIE_TOO_LARGE')
  })

  it('without a revocation hook a captured cookie stays valid after logout until its sealed expiry (documented)', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: SECRET_A }, { maxAge: 60 }, clock)
    const { jar, value } = await sealedCookie(h, { user: 'ada' })
    await h.request(jar, (s) => s.flush())
    expect(jar.cookies.size).toBe(0)
    expect(await readUser(h, `${COOKIE}=${value}`)).toBe('ada')
    clock.advance(60)
    expect(await readUser(h, `${COOKIE}=${value}`)).toBeUndefined()
  })

  it('isRevoked + onDestroy: a deny-list makes flushed and cycled cookies useless', async () => {
    const denied = new Set<string>()
    const checked: string[] = []
    const options: SignedCookieOptions = {
      secrets: SECRET_A,
      isRevoked: async (key) => {
        checked.push(key)
        return denied.has(key)
      },
      onDestroy: (key) => {
        denied.add(key)
      },
    }
    const h = harness(options)
    const { jar, value } = await sealedCookie(h, { user: 'ada' })
    // Untouched requests do not call the hook.
    await h.request(jar, () => undefined)
    expect(checked).toEqual([])
    const { session } = await h.request(jar, (s) => s.get('user'))
    expect(checked).toEqual([session.key])
    // Login: cycleKey deny-lists the old key; the new cookie works, the captured one does not.
    const { session: cycled } = await h.request(jar, (s) => s.cycleKey())
    expect(denied).toEqual(new Set([session.key]))
    expect(cycled.key).not.toBe(session.key)
    expect(await readUser(h, `${COOKIE}=${value}`)).toBeUndefined()
    const current = jar.get(COOKIE)!
    expect(await readUser(h, `${COOKIE}=${current}`)).toBe('ada')
    // Logout: flush deny-lists the current key.
    await h.request(jar, (s) => s.flush())
    expect(denied.has(cycled.key!)).toBe(true)
    expect(await readUser(h, `${COOKIE}=${current}`)).toBeUndefined()
  })

  it('isRevoked gets the user and sign-in time from the sealed envelope (JSON and rich payloads), null for anonymous', async () => {
    for (const serializer of [undefined, richSerializer]) {
      const seen: RevocationInfo[] = []
      const clock = new ManualClock()
      const h = harness(
        {
          secrets: SECRET_A,
          isRevoked: (_key, info) => {
            seen.push({ userId: info.userId, created: info.created })
            return false
          },
        },
        serializer ? { serializer } : {},
        clock,
      )
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('cart', ['book']))
      const anonymousAt = clock.now()
      clock.advance(30)
      await h.request(jar, (s) => s.setUser('Zoë {ada}', { ip: '203.0.113.7' }))
      const loginAt = clock.now()
      clock.advance(30)
      await h.request(jar, (s) => s.getUser()) // loads: the hook sees the signed-in session
      expect(seen).toEqual([
        { userId: null, created: anonymousAt }, // the login request loads the anonymous session
        { userId: 'Zoë {ada}', created: loginAt },
      ])
    }
  })

  it('isRevoked sees null user and time for a payload of another serializer', async () => {
    const seen: RevocationInfo[] = []
    const reversed = {
      name: 'reversed',
      stringify: (v: unknown) => [...JSON.stringify(v)].reverse().join(''),
      parse: (t: string) => JSON.parse([...t].reverse().join('')),
    }
    const h = harness(
      {
        secrets: SECRET_A,
        isRevoked: (_key, info) => {
          seen.push({ userId: info.userId, created: info.created })
          return false
        },
      },
      { serializer: reversed },
    )
    const jar = new CookieJar()
    await h.request(jar, (s) => s.setUser('ada'))
    expect((await h.request(jar, (s) => s.getUser())).result?.id).toBe('ada')
    expect(seen).toEqual([{ userId: null, created: null }])
  })

  it('sessions.listFor, destroyAllFor and destroyHandle reject CONFIG pointing at the valid-after pattern', async () => {
    const h = harness({ secrets: SECRET_A })
    expect(h.sessions.userIndex).toBe(false)
    for (const call of [
      () => h.sessions.listFor('ada'),
      () => h.sessions.destroyAllFor('ada'),
      () => h.sessions.destroyHandle('ada', 'AAAAAAAAAAAAAAAA'),
    ]) {
      const error = await expectSessionError(call(), 'CONFIG')
      expect(error.message).toMatch(/cannot revoke.*"valid after".*isRevoked.*@sess\/signed-cookie/)
    }
  })

  it('a failing revocation hook fails the request with SessionError(ENGINE) instead of accepting the cookie', async () => {
    const boom = new Error('deny-list down')
    const h = harness({
      secrets: SECRET_A,
      isRevoked: () => Promise.reject(boom),
      onDestroy: () => {
        throw boom
      },
    })
    const plain = harness({ secrets: SECRET_A })
    const { value } = await sealedCookie(plain, { user: 'ada' })
    const session = h.sessions.load(`${COOKIE}=${value}`)
    const error = await session.get('user').then(
      () => null,
      (e: unknown) => e,
    )
    expect(isSessionError(error, 'ENGINE')).toBe(true)
    expect((error as SessionError).cause).toBe(boom)
    const fresh = h.sessions.load(undefined)
    await fresh.set('user', 'ada')
    await h.sessions.commit(fresh)
    const loggedIn = plain.sessions.load(`${COOKIE}=${value}`)
    const noFlush = createSessions({ engine: make({ secrets: SECRET_A, onDestroy: () => Promise.reject(boom) }) }).load(
      `${COOKIE}=${value}`,
    )
    await expectSessionError(noFlush.flush(), 'ENGINE')
    expect(await loggedIn.get('user')).toBe('ada')
  })

  it('keeps the version and key inside the seal across saves; cycleKey seals a new key', async () => {
    const clock = new ManualClock()
    const h = harness({ secrets: SECRET_A }, {}, clock)
    const store = make({ secrets: SECRET_A })
    const { jar } = await sealedCookie(h, { count: 1 })
    const first = (await store.load(jar.get(COOKIE)!, clock.now()))!
    expect(first.record.version).toBe(1)
    await h.request(jar, (s) => s.set('count', 2))
    const second = (await store.load(jar.get(COOKIE)!, clock.now()))!
    expect(second.key).toBe(first.key)
    expect(second.record.version).toBe(2)
    const { session } = await h.request(jar, (s) => s.cycleKey())
    const third = (await store.load(jar.get(COOKIE)!, clock.now()))!
    expect(third.key).toBe(session.key)
    expect(third.key).not.toBe(first.key)
    expect(await store.read(first.key, clock.now())).toBeNull()
  })
}
