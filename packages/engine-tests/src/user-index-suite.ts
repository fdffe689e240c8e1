import { sessionHandle, type SessionEngine } from '@sess/core/engine'
import { describe, expect, it } from 'vitest'
import { expectSessionError } from './expect-error.js'
import { awkwardUserIds, newKey, newUserId, record, userRecord } from './fixtures.js'
import { churnUserIndex } from './user-index-churn.js'

/** An engine that declares the user index: `listUser` and `destroyUser` are present. */
type IndexedEngine = SessionEngine & Required<Pick<SessionEngine, 'listUser' | 'destroyUser'>>

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

/** The handles of a listing, sorted (listings are in no particular order). */
async function handles(e: IndexedEngine, userId: string, at: Date = now): Promise<string[]> {
  return (await e.listUser(userId, at)).map((r) => r.handle!).sort()
}

/** The handles of `keys`, sorted. */
function handlesOf(...keys: string[]): string[] {
  return keys.map(sessionHandle).sort()
}

/** Creates one record per key for `userId`; returns the keys. */
async function signIn(e: IndexedEngine, userId: string, count: number, expiresAt: Date = later): Promise<string[]> {
  const keys = Array.from({ length: count }, () => newKey())
  for (const [i, key] of keys.entries()) await e.create(key, userRecord(key, userId, `{"d":{"device":${i}},"c":1}`, expiresAt))
  return keys
}

/**
 * The cases of the `userIndex` capability, registered by `describeEngine`. An engine that does not declare it is
 * checked to have neither method. Storage may be shared between tests and runs: every case uses fresh user ids.
 */
export function describeUserIndex(engine: () => Promise<SessionEngine>): void {
  /** A fresh engine when it declares the index; otherwise checks that the methods are absent and returns null. */
  const indexed = async (): Promise<IndexedEngine | null> => {
    const e = await engine()
    if (e.capabilities.userIndex === true) return e as IndexedEngine
    expect(e.listUser, 'listUser without capabilities.userIndex').toBeUndefined()
    expect(e.destroyUser, 'destroyUser without capabilities.userIndex').toBeUndefined()
    return null
  }

  describe('user index', () => {
    it('declares userIndex exactly when listUser and destroyUser exist', async () => {
      const e = await engine()
      const declared = e.capabilities.userIndex === true
      expect(typeof e.listUser === 'function').toBe(declared)
      expect(typeof e.destroyUser === 'function').toBe(declared)
    })

    it("lists exactly the user's live records, each with userId, handle, payload, expiry and version", async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId('ada')
      const bob = newUserId('bob')
      const adaKeys = await signIn(e, ada, 3)
      const [bobKey] = await signIn(e, bob, 1)
      const anonymous = newKey()
      await e.create(anonymous, record('{"d":{},"c":1}', later))
      const listed = await e.listUser(ada, now)
      expect(listed).toHaveLength(3)
      const byHandle = new Map(listed.map((r) => [r.handle, r]))
      for (const [i, key] of adaKeys.entries()) {
        const r = byHandle.get(sessionHandle(key))
        expect(r, `device ${i} is listed`).toBeDefined()
        expect(r).toEqual({ payload: `{"d":{"device":${i}},"c":1}`, expiresAt: later, version: 1, userId: ada, handle: sessionHandle(key) })
      }
      expect(await handles(e, bob)).toEqual(handlesOf(bobKey!))
    })

    it('lists an unknown user as an empty array', async () => {
      const e = await indexed()
      if (!e) return
      expect(await e.listUser(newUserId('nobody'), now)).toEqual([])
    })

    it('returns copies: changing a listed record changes nothing stored', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [key] = await signIn(e, ada, 1)
      const [first] = await e.listUser(ada, now)
      first!.payload = 'changed'
      first!.expiresAt.setTime(0)
      first!.userId = 'someone else'
      const [again] = await e.listUser(ada, now)
      expect(again).toEqual(userRecord(key!, ada, '{"d":{"device":0},"c":1}', later))
    })

    it('keeps two devices of one user apart (two creates for the same user)', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [laptop, phone] = await signIn(e, ada, 2)
      expect(await handles(e, ada)).toEqual(handlesOf(laptop!, phone!))
      expect(await e.read(laptop!, now)).not.toBeNull()
      expect(await e.read(phone!, now)).not.toBeNull()
    })

    it('indexes 20 concurrent creates for one user, none lost', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const keys = Array.from({ length: 20 }, () => newKey())
      await Promise.all(keys.map((key) => e.create(key, userRecord(key, ada, '{}', later))))
      expect(await handles(e, ada)).toEqual(handlesOf(...keys))
    })

    it('never lists an expired record: listed 1 ms before expiresAt, not at or after it', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const expiresAt = new Date(Date.UTC(2030, 0, 1, 12))
      const [short] = await signIn(e, ada, 1, expiresAt)
      const [long] = await signIn(e, ada, 1, later)
      expect(await handles(e, ada, new Date(expiresAt.getTime() - 1))).toEqual(handlesOf(short!, long!))
      expect(await handles(e, ada, expiresAt)).toEqual(handlesOf(long!))
      expect(await handles(e, ada, new Date(expiresAt.getTime() + 60_000))).toEqual(handlesOf(long!))
    })

    it('lists an updated record with its new payload, expiry and version', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [key] = await signIn(e, ada, 1)
      const further = new Date(later.getTime() + 60_000)
      await e.update(key!, userRecord(key!, ada, '{"d":{"v":2},"c":1}', further, 2), 1)
      expect(await e.listUser(ada, now)).toEqual([userRecord(key!, ada, '{"d":{"v":2},"c":1}', further, 2)])
    })

    it('follows an update that moves the record to another user', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId('ada')
      const bob = newUserId('bob')
      const [moved, kept] = await signIn(e, ada, 2)
      await e.update(moved!, userRecord(moved!, bob, '{}', later, 2), 1)
      expect(await handles(e, ada)).toEqual(handlesOf(kept!))
      expect(await handles(e, bob)).toEqual(handlesOf(moved!))
      expect((await e.listUser(bob, now))[0]!.userId).toBe(bob)
    })

    it('follows an update that makes the record anonymous (sign-out keeping the data)', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [key] = await signIn(e, ada, 1)
      await e.update(key!, userRecord(key!, null, '{"d":{"cart":[1]},"c":1}', later, 2), 1)
      expect(await e.listUser(ada, now)).toEqual([])
      expect((await e.read(key!, now))?.payload).toBe('{"d":{"cart":[1]},"c":1}')
      expect(await e.destroyUser(ada)).toBe(0)
      expect(await e.read(key!, now)).not.toBeNull()
    })

    it('follows an update that signs an anonymous record in', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const key = newKey()
      await e.create(key, record('{}', later))
      await e.update(key, userRecord(key, ada, '{}', later, 2), 1)
      expect(await handles(e, ada)).toEqual(handlesOf(key))
    })

    it('leaves the index as it was when an update fails (VERSION_CONFLICT, NOT_FOUND)', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId('ada')
      const bob = newUserId('bob')
      const [key] = await signIn(e, ada, 1)
      await expectSessionError(e.update(key!, userRecord(key!, bob, '{}', later, 5), 4), 'VERSION_CONFLICT')
      expect(await handles(e, ada)).toEqual(handlesOf(key!))
      expect(await e.listUser(bob, now)).toEqual([])
      const gone = newKey()
      await expectSessionError(e.update(gone, userRecord(gone, bob, '{}', later, 2), 1), 'NOT_FOUND')
      expect(await e.listUser(bob, now)).toEqual([])
    })

    it('does not index a create refused with KEY_CONFLICT under the intruding user', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId('ada')
      const mallory = newUserId('mallory')
      const [key] = await signIn(e, ada, 1)
      await expectSessionError(e.create(key!, userRecord(key!, mallory, '{}', later)), 'KEY_CONFLICT')
      expect(await e.listUser(mallory, now)).toEqual([])
      expect(await handles(e, ada)).toEqual(handlesOf(key!))
    })

    it('drops a destroyed record from the listing at once', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [gone, kept] = await signIn(e, ada, 2)
      await e.destroy(gone!)
      expect(await handles(e, ada)).toEqual(handlesOf(kept!))
      await e.destroy(kept!)
      expect(await e.listUser(ada, now)).toEqual([])
    })

    it('destroyUser removes every record of the user, counts them, and their keys read as a miss at once', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId('ada')
      const bob = newUserId('bob')
      const adaKeys = await signIn(e, ada, 3)
      const [bobKey] = await signIn(e, bob, 1)
      const anonymous = newKey()
      await e.create(anonymous, record('{}', later))
      expect(await e.destroyUser(ada)).toBe(3)
      for (const key of adaKeys) expect(await e.read(key, now)).toBeNull()
      expect(await e.listUser(ada, now)).toEqual([])
      expect(await handles(e, bob)).toEqual(handlesOf(bobKey!))
      expect(await e.read(bobKey!, now)).not.toBeNull()
      expect(await e.read(anonymous, now)).not.toBeNull()
      expect(await e.destroyUser(ada)).toBe(0)
    })

    it('a destroyed record is never resurrected: a late update of its key is NOT_FOUND and lists nothing', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [key] = await signIn(e, ada, 1)
      await e.destroyUser(ada)
      await expectSessionError(e.update(key!, userRecord(key!, ada, '{}', later, 2), 1), 'NOT_FOUND')
      expect(await e.read(key!, now)).toBeNull()
      expect(await e.listUser(ada, now)).toEqual([])
    })

    it('destroyUser with handle removes only that session ("sign out that device")', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [laptop, phone, tablet] = await signIn(e, ada, 3)
      expect(await e.destroyUser(ada, { handle: sessionHandle(phone!) })).toBe(1)
      expect(await e.read(phone!, now)).toBeNull()
      expect(await e.read(laptop!, now)).not.toBeNull()
      expect(await handles(e, ada)).toEqual(handlesOf(laptop!, tablet!))
      expect(await e.destroyUser(ada, { handle: sessionHandle(phone!) })).toBe(0)
    })

    it("destroyUser with handle never touches another user's session of that handle", async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId('ada')
      const bob = newUserId('bob')
      const [bobKey] = await signIn(e, bob, 1)
      await signIn(e, ada, 1)
      expect(await e.destroyUser(ada, { handle: sessionHandle(bobKey!) })).toBe(0)
      expect(await e.read(bobKey!, now)).not.toBeNull()
      expect(await handles(e, bob)).toEqual(handlesOf(bobKey!))
    })

    it('destroyUser with exceptHandle removes every other session of the user ("sign out everywhere else")', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [current, ...others] = await signIn(e, ada, 4)
      expect(await e.destroyUser(ada, { exceptHandle: sessionHandle(current!) })).toBe(3)
      for (const key of others) expect(await e.read(key, now)).toBeNull()
      expect(await e.read(current!, now)).not.toBeNull()
      expect(await handles(e, ada)).toEqual(handlesOf(current!))
      expect(await e.destroyUser(ada, { exceptHandle: sessionHandle(current!) })).toBe(0)
    })

    it('destroyUser of an unknown user or handle removes nothing and returns 0', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [key] = await signIn(e, ada, 1)
      expect(await e.destroyUser(newUserId('nobody'))).toBe(0)
      expect(await e.destroyUser(ada, { handle: sessionHandle(newKey()) })).toBe(0)
      expect(await e.read(key!, now)).not.toBeNull()
    })

    it('destroyUser may count expired records but leaves none listed or readable', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const soon = new Date(Date.UTC(2030, 0, 1, 1))
      const [expired] = await signIn(e, ada, 1, soon)
      const [live] = await signIn(e, ada, 1, later)
      const removed = await e.destroyUser(ada)
      expect(removed).toBeGreaterThanOrEqual(1)
      expect(removed).toBeLessThanOrEqual(2)
      expect(await e.read(live!, now)).toBeNull()
      expect(await e.read(expired!, new Date(soon.getTime() - 1))).toBeNull()
      expect(await e.listUser(ada, new Date(soon.getTime() - 1))).toEqual([])
    })

    it('keeps a touched record listed with its new expiry', async () => {
      const e = await indexed()
      if (!e?.touch) return
      const ada = newUserId()
      const soon = new Date(Date.UTC(2030, 0, 1, 1))
      const [key] = await signIn(e, ada, 1, soon)
      await e.touch(key!, later)
      const listed = await e.listUser(ada, new Date(soon.getTime() + 1000))
      expect(listed.map((r) => [r.handle, r.expiresAt.getTime()])).toEqual([[sessionHandle(key!), later.getTime()]])
    })

    it('the new key of a cycle is listed, the old one is not (what core writes for cycleKey)', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const [oldKey] = await signIn(e, ada, 1)
      const newKey_ = newKey()
      await e.create(newKey_, userRecord(newKey_, ada, '{"d":{"device":0},"c":1}', later))
      // Core ends the old key with an anonymous record that expires at once, then destroys it.
      await e.update(oldKey!, record('{"d":{},"c":1}', now, 2), 1)
      expect(await handles(e, ada)).toEqual(handlesOf(newKey_))
      await e.destroy(oldKey!)
      expect(await handles(e, ada)).toEqual(handlesOf(newKey_))
    })

    it('keeps awkward user ids apart and returns them as given', async () => {
      const e = await indexed()
      if (!e) return
      const ids = awkwardUserIds(newUserId('').slice(1))
      const keys = new Map<string, string>()
      for (const id of ids) keys.set(id, (await signIn(e, id, 1))[0]!)
      for (const id of ids) {
        const listed = await e.listUser(id, now)
        expect(
          listed.map((r) => [r.userId, r.handle]),
          JSON.stringify(id.slice(0, 30)),
        ).toEqual([[id, sessionHandle(keys.get(id)!)]])
      }
      // A prefix or a glob of another id names nobody.
      expect(await e.listUser(ids[0]!.slice(0, -1), now)).toEqual([])
      expect(await e.listUser('*', now)).toEqual([])
      expect(await e.destroyUser(ids[3]!)).toBe(1)
      for (const id of ids.filter((_, i) => i !== 3)) expect(await e.listUser(id, now)).toHaveLength(1)
    })

    it('stores the user ids named like prototype properties as plain ids', async () => {
      const e = await indexed()
      if (!e) return
      for (const id of ['__proto__', 'constructor', 'toString']) {
        await e.destroyUser(id) // other runs over shared storage may have left one
        const [key] = await signIn(e, id, 1)
        expect(await handles(e, id)).toEqual(handlesOf(key!))
        expect(await e.destroyUser(id)).toBe(1)
        expect(await e.listUser(id, now)).toEqual([])
      }
    })

    it('leaves no listed record after create/move/sign-out/expire/destroy cycles (churnUserIndex)', async () => {
      const e = await indexed()
      if (!e) return
      const { userIds } = await churnUserIndex(e, { cycles: 10, now })
      for (const id of userIds) expect(await e.listUser(id, now), id).toEqual([])
    })

    it('keeps listing and reads consistent under concurrent destroyUser and creates for one user', async () => {
      const e = await indexed()
      if (!e) return
      const ada = newUserId()
      const before = await signIn(e, ada, 5)
      const during = Array.from({ length: 5 }, () => newKey())
      const [removed] = await Promise.all([
        e.destroyUser(ada),
        ...during.map((key) => e.create(key, userRecord(key, ada, '{}', later)).then(() => 0)),
      ])
      expect(removed).toBeGreaterThanOrEqual(5)
      expect(removed).toBeLessThanOrEqual(10)
      for (const key of before) expect(await e.read(key, now)).toBeNull()
      // Each record created meanwhile is either destroyed with the rest or still live and listed: never half of it.
      const listed = new Set(await handles(e, ada))
      for (const key of during) {
        const live = (await e.read(key, now)) !== null
        expect(listed.has(sessionHandle(key)), 'listed exactly when readable').toBe(live)
      }
    })
  })
}
