import { createSessions, type Session, type Sessions, type SessionsOptions } from '@sess/core'
import { createRichSerializer, richSerializer } from '@sess/core/rich'
import { isSessionError, isSessionStore, type SessionEngine, type SessionStore } from '@sess/core/engine'
import { describe, expect, it, onTestFinished } from 'vitest'
import { CookieJar } from './cookie-jar.js'
import { expectSessionError } from './engine-suite.js'
import { createHarness, type Harness } from './harness.js'
import { expectRichValues, Money, moneyType, richValues } from './rich-values.js'
import { describeStoreCatalogue } from './store-catalogue.js'
import { describeStoreProperties } from './store-properties.js'
import { describeStoreUserIndex } from './store-user-index.js'

/** Options of {@link describeStore}. */
export interface StoreSuiteOptions {
  /** A fresh engine or store for one test. */
  create: () => SessionEngine | SessionStore | Promise<SessionEngine | SessionStore>
  /** Extra `createSessions` options for every case (e.g. a shorter maxAge is never needed: the clock is manual). */
  sessionOptions?: Partial<SessionsOptions>
  /**
   * A second engine over the same storage as `engine` (a second app process). When given, the user-index cases also
   * check that `destroyAllFor` through one is seen by the other at once. Engines only (not cookie stores).
   */
  reopen?: (engine: SessionEngine) => SessionEngine | Promise<SessionEngine>
  /** Store-specific cases, registered inside the suite. */
  extra?: (helpers: { harness: (options?: Partial<SessionsOptions>) => Promise<Harness<Data>> }) => void
}

type Data = {
  count?: number
  user?: string
  a?: number
  b?: number
  cart?: string[]
  items?: string[]
  nested?: { deep: { list: number[] } }
  [key: string]: unknown
}

const TWO_WEEKS = 1_209_600

/**
 * The store-level conformance suite: Django's session semantics through `createSessions`, for every
 * engine and for cookie stores. Cases that need server-side revocation run only when the store has it.
 */
export function describeStore(name: string, options: StoreSuiteOptions): void {
  const harness = async (extra: Partial<SessionsOptions> = {}): Promise<Harness<Data>> => {
    const target = await options.create()
    const h = createHarness<Data>(target, { ...options.sessionOptions, ...extra })
    onTestFinished(async () => {
      await h.sessions.dispose()
    })
    return h
  }
  const harnessOver = async (wrap: (engine: SessionEngine) => SessionEngine, extra: Partial<SessionsOptions> = {}) => {
    const target = await options.create()
    if (isSessionStore(target)) {
      await target.dispose?.()
      return null
    }
    const h = createHarness<Data>(wrap(target), { ...options.sessionOptions, ...extra })
    onTestFinished(async () => {
      await h.sessions.dispose()
    })
    return h
  }
  const cookieName = options.sessionOptions?.cookie?.name ?? 'sessionid'
  const sessionCookie = (jar: CookieJar) => jar.cookies.get(cookieName)

  describe(`store conformance: ${name}`, () => {
    describe('laziness', () => {
      it('an untouched request with no cookie calls the store not once and sends no cookie', async () => {
        const h = await harness()
        const { headers } = await h.request(new CookieJar(), () => undefined)
        expect(h.counter.total()).toBe(0)
        expect(headers.setCookie).toEqual([])
        expect(headers.vary).toBe(false)
      })

      it('an untouched request with a session cookie calls the store not once and sends no cookie', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 1))
        h.counter.reset()
        const { headers, session } = await h.request(jar, () => undefined)
        expect(h.counter.total()).toBe(0)
        expect(headers.setCookie).toEqual([])
        expect(headers.vary).toBe(false)
        expect(session.accessed).toBe(false)
        expect(session.isEmpty()).toBe(false)
      })

      it('a request that only reads does not write and varies by Cookie', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 1))
        h.counter.reset()
        const { result, headers } = await h.request(jar, (s) => s.get('count'))
        expect(result).toBe(1)
        expect(headers.setCookie).toEqual([])
        expect(headers.vary).toBe(true)
        expect(Object.keys(h.counter.calls).filter((m) => m !== 'load' && m !== 'read')).toEqual([])
      })

      it('a new session that is only read is not saved', async () => {
        const h = await harness()
        const { headers, session } = await h.request(new CookieJar(), (s) => s.get('user'))
        expect(headers.setCookie).toEqual([])
        expect(session.isEmpty()).toBe(true)
        expect(session.key).toBeNull()
      })
    })

    describe('cookie', () => {
      it('the first write sets sessionid with Django’s defaults: Path=/, HttpOnly, SameSite=Lax, two weeks', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { headers } = await h.request(jar, (s) => s.set('count', 1))
        expect(headers.setCookie).toHaveLength(1)
        const cookie = sessionCookie(jar)!
        expect(cookie.attributes).toMatchObject({ path: '/', httponly: true, samesite: 'Lax', 'max-age': String(TWO_WEEKS) })
        expect(new Date(cookie.attributes.expires as string).getTime()).toBe(h.clock.now().getTime() + TWO_WEEKS * 1000)
      })

      it('round-trips data through the cookie across requests', async () => {
        const h = await harness()
        const jar = new CookieJar()
        for (let i = 1; i <= 3; i++) {
          await h.request(jar, async (s) => s.set('count', ((await s.get('count')) ?? 0) + 1))
        }
        const { result } = await h.request(jar, (s) => s.get('count'))
        expect(result).toBe(3)
      })

      it('keeps unicode, nested values and prototype-named keys as plain data', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, async (s) => {
          await s.set('user', 'Zoë 🐍')
          await s.set('nested', { deep: { list: [1, 2, 3] } })
          await s.set('__proto__', { polluted: true })
          await s.set('constructor', 'plain' as never)
        })
        const { result } = await h.request(jar, async (s) => ({
          user: await s.get('user'),
          nested: await s.get('nested'),
          proto: await s.get('__proto__'),
          ctor: await s.get('constructor'),
          keys: (await s.keys()).sort(),
        }))
        expect(result).toEqual({
          user: 'Zoë 🐍',
          nested: { deep: { list: [1, 2, 3] } },
          proto: { polluted: true },
          ctor: 'plain',
          keys: ['__proto__', 'constructor', 'nested', 'user'],
        })
        expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      })

      for (const junk of ['', 'x', 'not a key', '%%%', 'a'.repeat(5000), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', '"quoted"', '\u0000']) {
        it(`a junk cookie (${JSON.stringify(junk.slice(0, 12))}) gives an empty session and is removed`, async () => {
          const h = await harness()
          const session = h.sessions.load(`${cookieName}=${junk}; other=1`)
          expect(await session.get('user')).toBeUndefined()
          const headers = await h.sessions.commit(session)
          if (junk === '') return // an empty cookie value names nothing; removing it is optional
          expect(headers.setCookie.some((c) => c.startsWith(`${cookieName}=;`) && c.includes('Max-Age=0'))).toBe(true)
        })
      }

      it('a malformed Cookie header never throws', async () => {
        const h = await harness()
        for (const header of [';;;', '=', '==;=', `${cookieName}`, `${cookieName}==`, '\u00ff\u0000', ' ; ; '.repeat(100)]) {
          const session = h.sessions.load(header)
          expect(await session.get('user')).toBeUndefined()
          await h.sessions.commit(session)
        }
      })

      it('takes the first of duplicate session cookies', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'first'))
        const value = jar.get(cookieName)!
        const other = new CookieJar()
        await h.request(other, (s) => s.set('user', 'second'))
        const session = h.sessions.load(`${cookieName}=${value}; ${cookieName}=${other.get(cookieName)}`)
        expect(await session.get('user')).toBe('first')
      })
    })

    describe('data', () => {
      it('get, set, has, delete, pop, setDefault, update, keys, values, entries', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { result } = await h.request(jar, async (s) => {
          await s.update({ a: 1, b: 2 })
          const out = {
            has: await s.has('a'),
            missing: await s.has('user'),
            fallback: await s.get('user', 'anon'),
            popped: await s.pop('b'),
            popMissing: await s.pop('b', 99),
            deleted: await s.delete('a'),
            deleteMissing: await s.delete('a'),
            setDefault: await s.setDefault('count', 5),
            setDefaultAgain: await s.setDefault('count', 6),
          }
          await s.set('user', 'ada')
          return { ...out, keys: await s.keys(), values: await s.values(), entries: await s.entries() }
        })
        expect(result).toEqual({
          has: true,
          missing: false,
          fallback: 'anon',
          popped: 2,
          popMissing: 99,
          deleted: true,
          deleteMissing: false,
          setDefault: 5,
          setDefaultAgain: 5,
          keys: ['count', 'user'],
          values: [5, 'ada'],
          entries: [
            ['count', 5],
            ['user', 'ada'],
          ],
        })
        const { result: back } = await h.request(jar, (s) => s.entries())
        expect(back).toEqual([
          ['count', 5],
          ['user', 'ada'],
        ])
      })

      const refused: Array<[string, unknown]> = [
        ['undefined', undefined],
        ['a function', () => 1],
        ['a symbol', Symbol('x')],
        ['a BigInt', 10n],
        ['NaN', Number.NaN],
        ['a Date', new Date()],
        ['a Map', new Map()],
        ['undefined inside an object', { a: undefined }],
        ['a function inside an array', [1, () => 2]],
      ]
      for (const [label, value] of refused) {
        it(`refuses ${label} with SessionError('DATA') naming the key, and persists nothing`, async () => {
          const h = await harness()
          const jar = new CookieJar()
          const { result } = await h.request(jar, async (s) => {
            const error = await s.set('bad', value).then(
              () => null,
              (e: unknown) => e,
            )
            return error
          })
          expect(isSessionError(result, 'DATA')).toBe(true)
          expect((result as Error).message).toContain('"bad"')
          expect(jar.cookies.size).toBe(0)
        })
      }

      it('refuses a cyclic value', async () => {
        const h = await harness()
        const cyclic: Record<string, unknown> = {}
        cyclic.self = cyclic
        const session = h.sessions.load(undefined)
        await expectSessionError(session.set('cyclic', cyclic), 'DATA')
        await expectSessionError(session.update({ fine: 1, cyclic }), 'DATA')
        expect(await session.has('fine')).toBe(false)
      })

      it('clear() empties the data and keeps the key', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { session: first } = await h.request(jar, (s) => s.set('user', 'ada'))
        const { session } = await h.request(jar, async (s) => {
          await s.clear()
          await s.set('count', 1)
        })
        expect(session.key).toBe(first.key)
        const { result } = await h.request(jar, (s) => s.entries())
        expect(result).toEqual([['count', 1]])
      })

      it('the test cookie works across requests', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.setTestCookie())
        const { result } = await h.request(jar, async (s) => {
          const worked = await s.testCookieWorked()
          await s.deleteTestCookie()
          return worked
        })
        expect(result).toBe(true)
        const { result: after } = await h.request(jar, (s) => s.testCookieWorked())
        expect(after).toBe(false)
      })

      it('a mutated object is saved once modified is set', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('cart', ['a']))
        await h.request(jar, async (s) => {
          ;(await s.get('cart'))!.push('b')
          s.modified = true
        })
        expect((await h.request(jar, (s) => s.get('cart'))).result).toEqual(['a', 'b'])
      })
    })

    describe('expiry', () => {
      it('a session expires maxAge seconds after its last save, exactly', async () => {
        const h = await harness({ maxAge: 60 })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'ada'))
        h.clock.advance(59.999)
        expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBe('ada')
        h.clock.advance(0.001)
        expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBeUndefined()
      })

      it('reading does not extend the expiry; saving does', async () => {
        const h = await harness({ maxAge: 60 })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 1))
        h.clock.advance(50)
        await h.request(jar, (s) => s.get('count'))
        h.clock.advance(20)
        expect((await h.request(jar.clone(), (s) => s.get('count'))).result).toBeUndefined()
        const other = new CookieJar()
        await h.request(other, (s) => s.set('count', 1))
        h.clock.advance(50)
        await h.request(other, (s) => s.set('count', 2))
        h.clock.advance(50)
        expect((await h.request(other, (s) => s.get('count'))).result).toBe(2)
      })

      it('saveEveryRequest renews the idle expiry on every request that has a session', async () => {
        const h = await harness({ maxAge: 60, saveEveryRequest: true })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'ada'))
        for (let i = 0; i < 5; i++) {
          h.clock.advance(50)
          const { headers } = await h.request(jar, () => undefined)
          expect(headers.setCookie.length).toBeGreaterThan(0)
        }
        expect((await h.request(jar, (s) => s.get('user'))).result).toBe('ada')
      })

      it('absoluteMaxAge ends a session however active it is', async () => {
        const h = await harness({ maxAge: 60, absoluteMaxAge: 120, saveEveryRequest: true })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'ada'))
        h.clock.advance(50)
        await h.request(jar, (s) => s.set('count', 1))
        h.clock.advance(50)
        const { headers } = await h.request(jar, (s) => s.set('count', 2))
        expect(sessionCookie(jar)!.attributes['max-age']).toBe('20')
        expect(headers.setCookie.length).toBeGreaterThan(0)
        h.clock.advance(20)
        expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBeUndefined()
      })

      it('setExpiry(seconds) sets the idle expiry and the cookie Max-Age', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { result } = await h.request(jar, async (s) => {
          await s.set('user', 'ada')
          await s.setExpiry(300)
          return [await s.getExpiryAge(), (await s.getExpiryDate()).getTime(), await s.expireAtBrowserClose()]
        })
        expect(result).toEqual([300, h.clock.now().getTime() + 300_000, false])
        expect(sessionCookie(jar)!.attributes['max-age']).toBe('300')
        h.clock.advance(299)
        expect((await h.request(jar.clone(), (s) => s.getExpiryAge())).result).toBe(300)
        h.clock.advance(1)
        expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBeUndefined()
      })

      it('setExpiry(0) makes a browser-session cookie; the server keeps it for maxAge', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { result } = await h.request(jar, async (s) => {
          await s.set('user', 'ada')
          await s.setExpiry(0)
          return [await s.expireAtBrowserClose(), await s.getExpiryAge()]
        })
        expect(result).toEqual([true, TWO_WEEKS])
        const cookie = sessionCookie(jar)!
        expect(cookie.attributes['max-age']).toBeUndefined()
        expect(cookie.attributes.expires).toBeUndefined()
        h.clock.advance(TWO_WEEKS - 1)
        expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBe('ada')
        h.clock.advance(1)
        expect((await h.request(jar.clone(), (s) => s.get('user'))).result).toBeUndefined()
      })

      it('setExpiry(Date) expires at that instant; setExpiry(null) returns to the global policy', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const at = new Date(h.clock.now().getTime() + 3_600_000)
        await h.request(jar, async (s) => {
          await s.set('user', 'ada')
          await s.setExpiry(at)
        })
        expect(sessionCookie(jar)!.attributes['max-age']).toBe('3600')
        h.clock.advance(600)
        expect((await h.request(jar, (s) => s.getExpiryAge())).result).toBe(3000)
        await h.request(jar, (s) => s.setExpiry(null))
        expect(sessionCookie(jar)!.attributes['max-age']).toBe(String(TWO_WEEKS))
      })

      it('refuses setExpiry values that are not seconds, a Date, 0 or null', async () => {
        const h = await harness()
        const session = h.sessions.load(undefined)
        await expectSessionError(session.setExpiry(Number.NaN), 'DATA')
        await expectSessionError(session.setExpiry(new Date('nope')), 'DATA')
        await expectSessionError(session.setExpiry('60' as unknown as number), 'DATA')
      })

      it('expireAtBrowserClose sends cookies without Max-Age', async () => {
        const h = await harness({ expireAtBrowserClose: true })
        const jar = new CookieJar()
        const { result } = await h.request(jar, async (s) => {
          await s.set('user', 'ada')
          return s.expireAtBrowserClose()
        })
        expect(result).toBe(true)
        expect(sessionCookie(jar)!.attributes['max-age']).toBeUndefined()
      })
    })

    describe('lifecycle', () => {
      it('a 5xx response saves nothing and sends no cookie', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { headers } = await h.request(jar, (s) => s.set('user', 'ada'), { status: 500 })
        expect(headers.setCookie).toEqual([])
        await h.request(jar, (s) => s.set('count', 1))
        await h.request(jar, (s) => s.set('count', 2), { status: 503 })
        expect((await h.request(jar, (s) => s.get('count'))).result).toBe(1)
      })

      it('cycleKey() keeps the data under a new key, even when nothing was loaded first', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 7))
        const before = jar.get(cookieName)
        const old = jar.clone()
        const { session } = await h.request(jar, (s) => s.cycleKey())
        expect(jar.get(cookieName)).not.toBe(before)
        expect(session.key).not.toBeNull()
        expect((await h.request(jar, (s) => s.get('count'))).result).toBe(7)
        if (h.store.revocable) expect((await h.request(old, (s) => s.get('count'))).result).toBeUndefined()
      })

      it('login: cycleKey then set the user; the old key does not see the user', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('cart', ['book']))
        const attacker = jar.clone()
        await h.request(jar, async (s) => {
          await s.cycleKey()
          await s.set('user', 'ada')
        })
        expect((await h.request(jar, async (s) => [await s.get('user'), await s.get('cart')])).result).toEqual(['ada', ['book']])
        expect((await h.request(attacker, (s) => s.get('user'))).result).toBeUndefined()
      })

      it('flush() empties the data, drops the key and expires the cookie', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'ada'))
        const old = jar.clone()
        const { headers, session } = await h.request(jar, (s) => s.flush())
        expect(session.key).toBeNull()
        expect(headers.setCookie.some((c) => c.startsWith(`${cookieName}=;`) && c.includes('Max-Age=0'))).toBe(true)
        expect(jar.get(cookieName)).toBeUndefined()
        if (h.store.revocable) expect((await h.request(old, (s) => s.get('user'))).result).toBeUndefined()
      })

      it('data set after flush() starts a new session under a new key', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'ada'))
        const before = jar.get(cookieName)
        await h.request(jar, async (s) => {
          await s.flush()
          await s.set('count', 1)
        })
        expect(jar.get(cookieName)).toBeDefined()
        expect(jar.get(cookieName)).not.toBe(before)
        expect((await h.request(jar, (s) => s.entries())).result).toEqual([['count', 1]])
      })

      it('sessions.exists tells live keys from dead ones', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const { session } = await h.request(jar, (s) => s.set('user', 'ada'))
        if (!h.store.revocable) {
          expect(await h.sessions.exists(session.key!)).toBe(false)
          return
        }
        expect(await h.sessions.exists(session.key!)).toBe(true)
        expect(await h.sessions.exists('0'.repeat(32))).toBe(false)
        expect(await h.sessions.exists('../etc/passwd')).toBe(false)
        await h.request(jar, (s) => s.flush())
        expect(await h.sessions.exists(session.key!)).toBe(false)
      })

      it('purgeExpired returns a count and keeps live sessions', async () => {
        const h = await harness({ maxAge: 60 })
        const live = new CookieJar()
        const dead = new CookieJar()
        await h.request(dead, (s) => s.set('user', 'old'))
        h.clock.advance(30)
        await h.request(live, (s) => s.set('user', 'new'))
        h.clock.advance(40)
        const removed = await h.sessions.purgeExpired()
        expect(removed).toBeGreaterThanOrEqual(0)
        expect((await h.request(live, (s) => s.get('user'))).result).toBe('new')
        expect((await h.request(dead, (s) => s.get('user'))).result).toBeUndefined()
      })
    })

    describe('server-side guarantees', () => {
      it('an unknown well-formed key is never adopted: saving mints a fresh key', async () => {
        const h = await harness()
        if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
        const planted = 'a'.repeat(32)
        const jar = new CookieJar()
        jar.apply([`${cookieName}=${planted}; Path=/`])
        const { session } = await h.request(jar, (s) => s.set('user', 'ada'))
        expect(session.key).not.toBe(planted)
        expect(jar.get(cookieName)).toBe(session.key)
        expect(await h.sessions.exists(planted)).toBe(false)
      })

      it('a save that raced a logout fails with NOT_FOUND instead of resurrecting the session', async () => {
        const h = await harness()
        if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('user', 'ada'))
        const slow = h.sessions.load(jar.header())
        await slow.get('user')
        await h.request(jar.clone(), (s) => s.flush())
        await slow.set('count', 1)
        const error = await Promise.resolve(h.sessions.commit(slow)).then(
          () => null,
          (e: unknown) => e,
        )
        expect(isSessionError(error, 'NOT_FOUND')).toBe(true)
        expect((error as { status: number }).status).toBe(400)
        const { session } = await h.request(jar, (s) => s.get('user'))
        expect(session.key).toBeNull()
      })

      it('parallel requests that set different keys all survive (no lost updates)', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 0))
        if (!h.store.revocable) return
        const header = jar.header()
        const sessions = Array.from({ length: 20 }, () => h.sessions.load(header))
        await Promise.all(sessions.map((s) => s.get('count')))
        await Promise.all(sessions.map((s, i) => s.set(`k${i}`, i)))
        await Promise.all(sessions.map((s) => h.sessions.commit(s)))
        const { result } = await h.request(jar, (s) => s.entries())
        expect(Object.fromEntries(result)).toEqual({ count: 0, ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])) })
      })

      it('on a conflict, deletes re-apply too and the same key is last-writer-wins', async () => {
        const h = await harness()
        if (!h.store.revocable) return
        const jar = new CookieJar()
        await h.request(jar, (s) => s.update({ a: 1, b: 2, user: 'x' }))
        const first = h.sessions.load(jar.header())
        const second = h.sessions.load(jar.header())
        await first.delete('a')
        await first.set('user', 'first')
        await second.set('user', 'second')
        await h.sessions.commit(first)
        await h.sessions.commit(second)
        const { result } = await h.request(jar, async (s) => Object.fromEntries(await s.entries()))
        expect(result).toEqual({ b: 2, user: 'second' })
      })
    })

    describe('exact by construction', () => {
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
      /** Another app process over the same store: its own createSessions, so no shared in-process queue. */
      const otherProcess = (h: Harness<Data>): Sessions<Data> => {
        const other = createSessions<Data>({ ...options.sessionOptions, engine: h.store, now: h.clock.now })
        return other
      }
      /** One request: load, a real await before the write, the write, the final commit. */
      const requestWith = async (sessions: Sessions<Data>, header: string | undefined, write: (s: Session<Data>) => Promise<unknown>) => {
        const session = sessions.load(header)
        await session.has('count')
        await pause(5)
        await write(session)
        await sessions.commit(session, { final: true })
      }

      it('modify: 30 parallel increments, each awaiting before its write, end exact (one process and two)', async () => {
        const h = await harness()
        if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
        const other = otherProcess(h)
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 0))
        const header = jar.header()
        await Promise.all(Array.from({ length: 30 }, () => requestWith(h.sessions, header, (s) => s.modify('count', (n = 0) => n + 1))))
        expect((await h.request(jar, (s) => s.get('count'))).result).toBe(30)
        const both = Array.from({ length: 30 }, (_, i) =>
          requestWith(i % 2 ? other : h.sessions, header, (s) => s.modify('count', (n = 0) => n + 1)),
        )
        await Promise.all(both)
        expect((await h.request(jar, (s) => s.get('count'))).result).toBe(60)
      })

      it('modify: 20 parallel pushes onto one array from two processes keep all 20', async () => {
        const h = await harness()
        if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
        const other = otherProcess(h)
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 0))
        const header = jar.header()
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            requestWith(i % 2 ? other : h.sessions, header, (s) => s.modify('items', (list = []) => [...list, `i${i}`])),
          ),
        )
        const items = (await h.request(jar, (s) => s.get('items'))).result ?? []
        expect([...items].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `i${i}`).sort())
      })

      it('modify: a throwing function changes nothing and its error reaches the caller', async () => {
        const h = await harness()
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 1))
        const session = h.sessions.load(jar.header())
        const failure = new Error('not today')
        await expect(
          session.modify('count', () => {
            throw failure
          }),
        ).rejects.toBe(failure)
        expect(session.modified).toBe(false)
        expect(await session.get('count')).toBe(1)
        await expectSessionError(
          session.modify('count', () => Number.NaN),
          'DATA',
        )
        await expectSessionError(session.modify('count', (() => Promise.resolve(2)) as never), 'DATA')
      })

      it('commit twice: the second commit saves what changed after the first', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const s = h.sessions.load('')
        await s.set('a', 1)
        jar.apply((await h.sessions.commit(s)).setCookie)
        await s.set('b', 2)
        jar.apply((await h.sessions.commit(s)).setCookie)
        const { result } = await h.request(jar, async (again) => Object.fromEntries(await again.entries()))
        expect(result).toEqual({ a: 1, b: 2 })
      })

      it('save() persists now; the final commit writes only what changed after it', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const s = h.sessions.load('')
        await s.set('a', 1)
        await s.save()
        await s.save() // nothing changed: no write
        const key = s.key
        if (h.store.revocable) {
          expect(key).toMatch(/^[a-z0-9]{32}$/)
          expect(await h.sessions.exists(key!)).toBe(true)
        }
        h.counter.reset()
        jar.apply((await h.sessions.commit(s, { final: true })).setCookie)
        expect((h.counter.calls.create ?? 0) + (h.counter.calls.update ?? 0)).toBe(0)
        expect(sessionCookie(jar)).toBeDefined()
        const { result } = await h.request(jar, (again) => again.get('a'))
        expect(result).toBe(1)
        const t = h.sessions.load(jar.header())
        await t.set('b', 2)
        await t.save()
        await t.set('c', 3)
        h.counter.reset()
        jar.apply((await h.sessions.commit(t, { final: true })).setCookie)
        if (h.store.revocable) expect(h.counter.calls.update).toBe(1)
        expect(Object.fromEntries((await h.request(jar, (again) => again.entries())).result)).toEqual({ a: 1, b: 2, c: 3 })
      })

      it('after the final commit every write rejects with COMMITTED, reads still work, nothing is half-saved', async () => {
        const h = await harness()
        const jar = new CookieJar()
        const s = h.sessions.load('')
        await s.set('cart', ['book'])
        jar.apply((await h.sessions.commit(s, { final: true })).setCookie)
        const writes: Array<[string, () => Promise<unknown>]> = [
          ['set', () => s.set('user', 'ada')],
          ['delete', () => s.delete('cart')],
          ['pop', () => s.pop('cart')],
          ['modify', () => s.modify('count', (n = 0) => n + 1)],
          ['update', () => s.update({ a: 1 })],
          ['clear', () => s.clear()],
          ['setExpiry', () => s.setExpiry(60)],
          ['cycleKey', () => s.cycleKey()],
          ['flush', () => s.flush()],
          ['save', () => s.save()],
          ['setTestCookie', () => s.setTestCookie()],
        ]
        for (const [name, call] of writes) {
          const error = await expectSessionError(call(), 'COMMITTED')
          expect(error.message, name).toContain(name)
          expect(error.message).toContain('save()')
        }
        expect(() => {
          s.modified = true
        }).toThrow(/COMMITTED|committed/)
        expect(await s.get('cart')).toEqual(['book'])
        const { result } = await h.request(jar, async (again) => Object.fromEntries(await again.entries()))
        expect(result).toEqual({ cart: ['book'] })
      })

      it('a key cycle carries over a save acknowledged meanwhile (one process and two)', async () => {
        for (const sameProcess of [true, false]) {
          const h = await harness()
          if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
          const cycler = sameProcess ? h.sessions : otherProcess(h)
          const jar = new CookieJar()
          await h.request(jar, (s) => s.set('count', 1))
          const oldKey = jar.get(cookieName)!
          const login = cycler.load(jar.header())
          await login.get('user') // loaded before the other request's save
          await h.request(jar.clone(), (s) => s.set('cart', ['book'])) // acknowledged
          await login.cycleKey()
          await login.set('user', 'ada')
          jar.apply((await cycler.commit(login, { final: true })).setCookie)
          expect(jar.get(cookieName)).not.toBe(oldKey)
          expect(await h.sessions.exists(oldKey)).toBe(false)
          const { result } = await h.request(jar, async (s) => Object.fromEntries(await s.entries()))
          expect(result, sameProcess ? 'one process' : 'two processes').toEqual({ count: 1, cart: ['book'], user: 'ada' })
        }
      })

      it('a key cycle whose session was flushed meanwhile fails with NOT_FOUND and leaves no session behind', async () => {
        const h = await harness()
        if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
        const other = otherProcess(h)
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('count', 1))
        const login = other.load(jar.header())
        await login.get('count')
        await h.request(jar.clone(), (s) => s.flush())
        await login.cycleKey()
        await login.set('user', 'ada')
        await expectSessionError(Promise.resolve(other.commit(login, { final: true })), 'NOT_FOUND')
        expect(login.key === null || !(await h.sessions.exists(login.key))).toBe(true)
      })

      it('a save that failed once succeeds when tried again, with nothing lost', async () => {
        const h = await harness()
        let failures = 1
        const flaky: typeof h.store = Object.create(h.store)
        const fail = () => {
          failures--
          return Promise.reject(new Error('the disk hiccuped'))
        }
        flaky.create = (key, record) => (failures > 0 ? fail() : h.store.create(key, record))
        flaky.update = (key, record, version) => (failures > 0 ? fail() : h.store.update(key, record, version))
        const sessions = createSessions<Data>({ ...options.sessionOptions, engine: flaky, now: h.clock.now })
        const jar = new CookieJar()
        const s = sessions.load('')
        await s.set('a', 1)
        await expect(s.save()).rejects.toThrow('the disk hiccuped')
        await s.save()
        jar.apply((await sessions.commit(s, { final: true })).setCookie)
        const t = sessions.load(jar.header())
        await t.set('b', 2)
        failures = 1
        await expect(Promise.resolve(sessions.commit(t))).rejects.toThrow('the disk hiccuped')
        jar.apply((await sessions.commit(t, { final: true })).setCookie)
        const { result } = await h.request(jar, async (again) => Object.fromEntries(await again.entries()))
        expect(result).toEqual({ a: 1, b: 2 })
      })

      it('a session flushed by a parallel request is not resurrected by one that had called save() before', async () => {
        const h = await harness()
        if (!h.store.revocable) return expect(h.store.revocable).toBe(false)
        for (const sessions of [h.sessions, otherProcess(h)]) {
          const jar = new CookieJar()
          await h.request(jar, (s) => s.set('user', 'ada'))
          const slow = sessions.load(jar.header())
          await slow.set('count', 1)
          await slow.save()
          await h.request(jar.clone(), (s) => s.flush())
          await slow.set('count', 2)
          await expectSessionError(slow.save(), 'NOT_FOUND')
          await expectSessionError(Promise.resolve(sessions.commit(slow, { final: true })), 'NOT_FOUND')
          const { session } = await h.request(jar, (s) => s.get('user'))
          expect(session.key).toBeNull()
        }
      })
    })

    describe('rich values (richSerializer)', () => {
      it('every rich type comes back from the store as it was set, in a later request', async () => {
        const h = await harness({ serializer: richSerializer })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.update(richValues()))
        const { result } = await h.request(jar, async (s) => Object.fromEntries(await s.entries()))
        expectRichValues(result)
      })

      it('rich values survive a later write of another key, and a key cycle', async () => {
        const h = await harness({ serializer: richSerializer })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.update(richValues()))
        await h.request(jar, (s) => s.set('count', 1))
        await h.request(jar, (s) => s.cycleKey())
        const { result } = await h.request(jar, async (s) => Object.fromEntries(await s.entries()))
        const { count, ...rest } = result
        expect(count).toBe(1)
        expectRichValues(rest)
      })

      it('a registered class comes back as an instance; an unregistered one is refused naming the key and the class', async () => {
        const h = await harness({ serializer: createRichSerializer({ types: { Money: moneyType } }) })
        const jar = new CookieJar()
        await h.request(jar, (s) => s.set('balance', new Money(1999n, 'EUR')))
        const { result } = await h.request(jar, (s) => s.get('balance'))
        expect(result).toBeInstanceOf(Money)
        expect(result).toEqual(new Money(1999n, 'EUR'))

        const plain = await harness({ serializer: richSerializer })
        const fresh = new CookieJar()
        const { result: error } = await plain.request(fresh, (s) =>
          s.set('balance', { total: new Money(1n, 'EUR') }).then(
            () => null,
            (e: unknown) => e,
          ),
        )
        expect(isSessionError(error, 'DATA')).toBe(true)
        expect((error as Error).message).toMatch(/"balance".*total is a Money instance/)
        expect(fresh.cookies.size).toBe(0)
      })
    })

    describeStoreUserIndex({
      harness,
      create: options.create,
      reopen: options.reopen,
      sessionOptions: options.sessionOptions ?? {},
      cookieName,
    })
    describeStoreProperties(harness, cookieName)
    describeStoreCatalogue({ harness, harnessOver, cookieName })

    options.extra?.({ harness })
  })
}
