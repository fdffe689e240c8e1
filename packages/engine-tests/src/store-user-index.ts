import { createSessions, isSessionError, type Session, type SessionsOptions } from '@sess/core'
import { isSessionStore, sessionHandle, type SessionEngine, type SessionStore } from '@sess/core/engine'
import { describe, expect, it, onTestFinished } from 'vitest'
import { CookieJar } from './cookie-jar.js'
import { expectSessionError } from './expect-error.js'
import { newUserId } from './fixtures.js'
import { createHarness, type Harness } from './harness.js'

type Data = Record<string, unknown>

/** What the store suite hands to the user-index cases. */
export interface StoreUserIndexHelpers {
  harness: (options?: Partial<SessionsOptions>) => Promise<Harness<Data>>
  /** The suite's `create`. */
  create: () => SessionEngine | SessionStore | Promise<SessionEngine | SessionStore>
  /** A second engine over the same storage as `engine` (a second app process), when the suite was given `reopen`. */
  reopen?: ((engine: SessionEngine) => SessionEngine | Promise<SessionEngine>) | undefined
  /** The suite's `sessionOptions`. */
  sessionOptions: Partial<SessionsOptions>
  cookieName: string
}

/** Signs a fresh jar in as `userId` with `metadata`; returns the jar and the session's handle after the save. */
async function signIn(h: Harness<Data>, userId: string, metadata: Record<string, string> = {}) {
  const jar = new CookieJar()
  const { session } = await h.request(jar, async (s) => {
    await s.set('device', metadata.device ?? 'unknown')
    await s.setUser(userId, metadata)
  })
  return { jar, handle: session.handle! }
}

/** What a later request with `jar` sees: the user and one data key. */
async function visit(h: Harness<Data>, jar: CookieJar) {
  const { result } = await h.request(jar, async (s) => ({ user: (await s.getUser())?.id ?? null, device: await s.get('device') }))
  return result
}

/**
 * The store-level cases of the user index, registered by `describeStore`: `session.setUser` and `sessions.listFor`,
 * `destroyAllFor`, `destroyHandle` and `stats` through `createSessions`, over the real store. Stores without the
 * index (cookie stores, engines without the capability) must refuse the three user calls with `CONFIG`.
 */
export function describeStoreUserIndex({ harness, create, reopen, sessionOptions, cookieName }: StoreUserIndexHelpers): void {
  const maxAgeMs = (sessionOptions.maxAge ?? 1_209_600) * 1000
  /** A harness whose store has the index; otherwise checks the refusals and returns null. */
  const indexed = async (extra: Partial<SessionsOptions> = {}): Promise<Harness<Data> | null> => {
    const h = await harness(extra)
    if (h.sessions.userIndex) return h
    expect(h.store.userIndex === true).toBe(false)
    const ada = newUserId()
    await expectSessionError(h.sessions.listFor(ada), 'CONFIG')
    await expectSessionError(h.sessions.destroyAllFor(ada), 'CONFIG')
    await expectSessionError(h.sessions.destroyHandle(ada, sessionHandle('x'.repeat(32))), 'CONFIG')
    return null
  }

  describe('sessions that know their user', () => {
    it('setUser and getUser round-trip through the store, with the metadata, on every store', async () => {
      const h = await harness()
      const ada = newUserId()
      const jar = new CookieJar()
      const { session } = await h.request(jar, (s) =>
        s.setUser(ada, { userAgent: 'Firefox', ip: '203.0.113.7', mfa: true, n: 2, none: null }),
      )
      expect(session.key).not.toBeNull() // a sign-in without data is saved
      expect(session.handle).toBe(sessionHandle(session.key!))
      const { result } = await h.request(jar, (s) => s.getUser())
      expect(result).toEqual({ id: ada, metadata: { userAgent: 'Firefox', ip: '203.0.113.7', mfa: true, n: 2, none: null } })
      const anonymous = await h.request(new CookieJar(), (s) => s.getUser())
      expect(anonymous.result).toBeNull()
    })

    it('sessions.userIndex says whether listFor works; without the index the user calls reject with CONFIG', async () => {
      const h = await harness()
      expect(h.sessions.userIndex).toBe(h.store.userIndex === true)
      if (h.sessions.userIndex) expect(await h.sessions.listFor(newUserId())).toEqual([])
      else await indexed()
    })

    it('login cycles the key and keeps the data; the pre-login cookie never sees the user', async () => {
      const h = await harness()
      const ada = newUserId()
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('cart', ['book']))
      const before = jar.get(cookieName)
      const attacker = jar.clone()
      const { session } = await h.request(jar, (s) => s.setUser(ada))
      expect(jar.get(cookieName)).not.toBe(before)
      const { result } = await h.request(jar, async (s) => [(await s.getUser())?.id, await s.get('cart')])
      expect(result).toEqual([ada, ['book']])
      if (h.store.revocable) expect((await h.request(attacker, (s) => s.getUser())).result).toBeNull()
      if (h.sessions.userIndex) expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([session.handle])
    })

    it('the same user again only replaces the metadata: no new key', async () => {
      const h = await harness()
      const ada = newUserId()
      const jar = new CookieJar()
      await h.request(jar, (s) => s.setUser(ada, { ip: '1' }))
      const before = jar.get(cookieName)
      const { session } = await h.request(jar, async (s) => {
        await s.setUser(ada, { ip: '2' })
        expect(s.modified).toBe(true)
      })
      if (h.store.revocable) expect(jar.get(cookieName)).toBe(before)
      expect((await h.request(jar, (s) => s.getUser())).result).toEqual({ id: ada, metadata: { ip: '2' } })
      const kept = await h.request(jar, async (s) => {
        await s.setUser(ada)
        return s.modified
      })
      expect(kept.result).toBe(false)
      expect((await h.request(jar, (s) => s.getUser())).result?.metadata).toEqual({ ip: '2' })
      if (h.sessions.userIndex)
        expect((await h.sessions.listFor(ada)).map((d) => [d.handle, d.metadata])).toEqual([[session.handle, { ip: '2' }]])
    })

    it('refuses bad user ids and metadata with DATA, changing nothing', async () => {
      const h = await harness()
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('n', 1))
      const bad: Array<[unknown, unknown]> = [
        ['', undefined],
        ['x'.repeat(257), undefined],
        ['line\nbreak', undefined],
        ['nul\u0000', undefined],
        ['lone \uD800 surrogate', undefined],
        [42, undefined],
        [undefined, undefined],
        ['ada', { nested: { no: 1 } }],
        ['ada', { list: [1] }],
        ['ada', { n: Number.NaN }],
        ['ada', { big: 'x'.repeat(1100) }],
        ['ada', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]))],
        ['ada', new Date(0)],
        ['ada', 'not an object'],
        [null, { ip: '1' }],
      ]
      const { result } = await h.request(jar, async (s) => {
        const codes: string[] = []
        for (const [id, metadata] of bad) {
          const error = await (s.setUser as (a: unknown, b?: unknown) => Promise<void>)(id, metadata).then(
            () => null,
            (e: unknown) => e,
          )
          codes.push(isSessionError(error, 'DATA') ? 'DATA' : String(error))
        }
        return { codes, modified: s.modified }
      })
      expect(result.codes).toEqual(bad.map(() => 'DATA'))
      expect(result.modified).toBe(false)
      expect((await h.request(jar, (s) => s.getUser())).result).toBeNull()
      if (h.sessions.userIndex) {
        await expectSessionError(h.sessions.listFor(''), 'DATA')
        await expectSessionError(h.sessions.destroyAllFor('a\u0007b'), 'DATA')
        await expectSessionError(h.sessions.destroyHandle('x'.repeat(300), 'AAAAAAAAAAAAAAAA'), 'DATA')
      }
    })

    it('setUser after the final commit rejects with COMMITTED', async () => {
      const h = await harness()
      const jar = new CookieJar()
      const { session } = await h.request(jar, (s) => s.set('n', 1))
      await expectSessionError(session.setUser(newUserId()), 'COMMITTED')
    })

    it('listFor lists two devices of one user, newest lastSaved first, with their metadata and current', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const laptop = await signIn(h, ada, { device: 'laptop' })
      h.clock.advance(60)
      const phone = await signIn(h, ada, { device: 'phone' })
      const other = await signIn(h, newUserId('bob'), { device: 'bob' })
      await h.request(new CookieJar(), (s) => s.set('anonymous', true))
      const loginAt = h.clock.now().getTime()
      h.clock.advance(60)
      await h.request(laptop.jar, (s) => s.set('seen', 1)) // the laptop is now the newest
      const saveAt = h.clock.now().getTime()
      const { result: devices } = await h.request(laptop.jar, (s) => h.sessions.listFor(ada, { current: s }))
      expect(devices.map((d) => [d.handle, d.metadata, d.current])).toEqual([
        [laptop.handle, { device: 'laptop' }, true],
        [phone.handle, { device: 'phone' }, false],
      ])
      expect(devices[0]!.lastSaved.getTime()).toBe(saveAt)
      expect(devices[1]!.lastSaved.getTime()).toBe(loginAt)
      expect(devices[1]!.created.getTime()).toBe(loginAt)
      expect(devices[1]!.expires.getTime()).toBe(loginAt + maxAgeMs)
      expect(devices.map((d) => d.handle)).not.toContain(other.handle)
      const json = JSON.stringify(devices)
      for (const jar of [laptop.jar, phone.jar]) expect(json).not.toContain(jar.get(cookieName)!)
      expect((await h.sessions.listFor(ada)).every((d) => !d.current)).toBe(true)
    })

    it('destroyAllFor with except: every other cookie of the user reads as empty at once, the current one survives', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const bob = newUserId('bob')
      const devices = [await signIn(h, ada, { device: 'a' }), await signIn(h, ada, { device: 'b' }), await signIn(h, ada, { device: 'c' })]
      const bobs = await signIn(h, bob, { device: 'bob' })
      for (const d of devices) await visit(h, d.jar) // warm any cache in front of the storage
      const { result: removed } = await h.request(devices[0]!.jar, (s) => h.sessions.destroyAllFor(ada, { except: s }))
      expect(removed).toBe(2)
      expect(await visit(h, devices[0]!.jar)).toEqual({ user: ada, device: 'a' })
      for (const d of devices.slice(1)) {
        const { session, result } = await h.request(d.jar.clone(), async (s) => (await s.getUser()) ?? (await s.get('device')) ?? null)
        expect(result).toBeNull()
        expect(session.key).toBeNull()
      }
      expect(await visit(h, bobs.jar)).toEqual({ user: bob, device: 'bob' })
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([devices[0]!.handle])
    })

    it('destroyAllFor without except ends every session of the user; with a handle string it keeps that one', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const [a, b, c] = [await signIn(h, ada), await signIn(h, ada), await signIn(h, ada)]
      expect(await h.sessions.destroyAllFor(ada, { except: b!.handle })).toBe(2)
      expect((await visit(h, a!.jar)).user).toBeNull()
      expect((await visit(h, b!.jar)).user).toBe(ada)
      expect((await visit(h, c!.jar)).user).toBeNull()
      expect(await h.sessions.destroyAllFor(ada)).toBe(1)
      expect((await visit(h, b!.jar)).user).toBeNull()
      expect(await h.sessions.listFor(ada)).toEqual([])
      expect(await h.sessions.destroyAllFor(ada)).toBe(0)
    })

    it('destroyAllFor refuses an except string that is not a handle (e.g. the key) with DATA, destroying nothing', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const { jar } = await signIn(h, ada)
      const key = jar.get(cookieName)!
      const error = await expectSessionError(h.sessions.destroyAllFor(ada, { except: key }), 'DATA')
      expect(error.message).not.toContain(key)
      expect((await visit(h, jar)).user).toBe(ada)
    })

    it('a request in flight on a destroyed session fails with NOT_FOUND instead of resurrecting it', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const current = await signIn(h, ada)
      const other = await signIn(h, ada)
      const slow = h.sessions.load(other.jar.header())
      await slow.get('device')
      await h.sessions.destroyAllFor(ada, { except: current.handle })
      await slow.set('late', 1)
      const error = await Promise.resolve(h.sessions.commit(slow, { final: true })).then(
        () => null,
        (e: unknown) => e,
      )
      expect(isSessionError(error, 'NOT_FOUND')).toBe(true)
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([current.handle])
      expect((await visit(h, other.jar)).user).toBeNull()
    })

    it('destroyHandle signs out that device only; an unknown or malformed handle is false', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const laptop = await signIn(h, ada)
      const phone = await signIn(h, ada)
      const bobs = await signIn(h, newUserId('bob'))
      expect(await h.sessions.destroyHandle(ada, phone.handle)).toBe(true)
      expect((await visit(h, phone.jar)).user).toBeNull()
      expect((await visit(h, laptop.jar)).user).toBe(ada)
      expect(await h.sessions.destroyHandle(ada, phone.handle)).toBe(false)
      expect(await h.sessions.destroyHandle(ada, bobs.handle)).toBe(false) // another user's device
      expect((await visit(h, bobs.jar)).user).not.toBeNull()
      expect(await h.sessions.destroyHandle(ada, 'not a handle')).toBe(false)
      expect(await h.sessions.destroyHandle(ada, laptop.jar.get(cookieName)!)).toBe(false) // a key is not a handle
      expect((await visit(h, laptop.jar)).user).toBe(ada)
    })

    it('a cycled key stays indexed: the new handle is listed, the old one is gone', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const { jar, handle } = await signIn(h, ada)
      const { session } = await h.request(jar, (s) => s.cycleKey())
      expect(session.handle).not.toBe(handle)
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([session.handle])
      expect((await visit(h, jar)).user).toBe(ada)
    })

    it('a flushed session leaves the index', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const kept = await signIn(h, ada)
      const { jar } = await signIn(h, ada)
      const { session } = await h.request(jar, (s) => s.flush())
      expect(session.handle).toBeNull()
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([kept.handle])
      expect(jar.cookies.size).toBe(0)
    })

    it('signing out with setUser(null) keeps the data under a new key and leaves the index', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const { jar, handle } = await signIn(h, ada, { device: 'laptop' })
      const { session } = await h.request(jar, (s) => s.setUser(null))
      expect(session.handle).not.toBe(handle)
      expect(await h.sessions.listFor(ada)).toEqual([])
      expect(await visit(h, jar)).toEqual({ user: null, device: 'laptop' })
    })

    it('switching to another user moves the session from one listing to the other', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId('ada')
      const bob = newUserId('bob')
      const { jar } = await signIn(h, ada)
      const { session } = await h.request(jar, (s) => s.setUser(bob))
      expect(await h.sessions.listFor(ada)).toEqual([])
      expect((await h.sessions.listFor(bob)).map((d) => d.handle)).toEqual([session.handle])
    })

    it('an expired session is never listed', async () => {
      const h = await indexed({ maxAge: 60 })
      if (!h) return
      const ada = newUserId()
      await signIn(h, ada)
      h.clock.advance(30)
      const fresh = await signIn(h, ada)
      h.clock.advance(31)
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([fresh.handle])
      h.clock.advance(30)
      expect(await h.sessions.listFor(ada)).toEqual([])
    })

    it('a sign-in raced by a parallel save keeps both the user and the parallel write', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const jar = new CookieJar()
      await h.request(jar, (s) => s.set('count', 0))
      const login = h.sessions.load(jar.header())
      await login.get('count')
      await h.request(jar.clone(), (s) => s.set('count', 1)) // saved while the login request runs
      await login.setUser(ada)
      const headers = await h.sessions.commit(login, { final: true })
      jar.apply(headers.setCookie)
      const { result } = await h.request(jar, async (s) => [(await s.getUser())?.id, await s.get('count')])
      expect(result).toEqual([ada, 1])
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([login.handle])
    })

    it('a signed-in session saved by a parallel request keeps its user (rebase)', async () => {
      const h = await indexed()
      if (!h) return
      const ada = newUserId()
      const { jar, handle } = await signIn(h, ada)
      const header = jar.header()
      const sessions: Session<Data>[] = Array.from({ length: 5 }, () => h.sessions.load(header))
      await Promise.all(sessions.map((s, i) => s.set(`k${i}`, i)))
      await Promise.all(sessions.map((s) => h.sessions.commit(s, { final: true })))
      expect((await h.request(jar, (s) => s.getUser())).result?.id).toBe(ada)
      expect((await h.sessions.listFor(ada)).map((d) => d.handle)).toEqual([handle])
    })

    it('sessions.stats counts live sessions and signed-in ones, or rejects CONFIG when the store cannot tell', async () => {
      const h = await harness()
      if (!h.store.stats) {
        await expectSessionError(h.sessions.stats(), 'CONFIG')
        return
      }
      const before = await h.sessions.stats()
      await signIn(h, newUserId())
      await h.request(new CookieJar(), (s) => s.set('anonymous', true))
      const after = await h.sessions.stats()
      expect(after.sessions - before.sessions).toBe(2)
      if (h.sessions.userIndex) expect(after.signedIn! - before.signedIn!).toBe(1)
    })

    it('a second app process over the same storage sees destroyAllFor at once, both ways', async () => {
      if (!reopen) return
      const target = await create()
      if (isSessionStore(target)) return void (await target.dispose?.())
      const h = createHarness<Data>(target, sessionOptions)
      onTestFinished(() => h.sessions.dispose())
      if (!h.sessions.userIndex) return
      const secondEngine = await reopen(target)
      const second = createSessions({ ...sessionOptions, engine: secondEngine, now: h.clock.now })
      onTestFinished(async () => {
        if (secondEngine !== target) await second.dispose()
      })
      const ada = newUserId()
      const devices = [await signIn(h, ada), await signIn(h, ada)]
      const read = async (jar: CookieJar) => (await second.load(jar.header()).getUser())?.id ?? null
      for (const d of devices) expect(await read(d.jar)).toBe(ada)
      expect((await second.listFor(ada)).map((d) => d.handle).sort()).toEqual(devices.map((d) => d.handle).sort())
      expect(await second.destroyAllFor(ada, { except: devices[0]!.handle })).toBe(1)
      expect((await visit(h, devices[1]!.jar)).user).toBeNull()
      expect(await h.sessions.destroyAllFor(ada)).toBe(1)
      expect(await read(devices[0]!.jar)).toBeNull()
    })
  })
}
