import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { isSessionError, sessionHandle, type SessionEngine, type SessionEvent, type SessionRecord } from '@sess/core/engine'
import { churnUserIndex, expectSessionError, newKey, record } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import type { RedisCommand, RedisSend } from './client.js'
import { redisEngine } from './redis-engine.js'
import { ioRedis, nodeRedis, uniquePrefix } from './test-support.js'

const node = await nodeRedis()
const io = await ioRedis()
const prefix = uniquePrefix('user-index')
const later = new Date(Date.UTC(2030, 0, 2))
const now = new Date(Date.UTC(2030, 0, 1))
const sha = (text: string) => createHash('sha256').update(text).digest('hex')
const sessionKey = (key: string, p = prefix) => p + sha(key)
const userKey = (userId: string, p = prefix) => `${p}u:{${sha(userId)}}`
const memberOf = (key: string) => `${sessionHandle(key)}:${sha(key)}`
let counter = 0
const newUser = (label = 'u') => `${label}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`

/** A record signed in as `userId`, with the handle core derives from `key`. */
function signedIn(key: string, userId: string | null, expiresAt: Date = later, version = 1, payload = '{"d":{},"c":1}'): SessionRecord {
  const r = record(payload, expiresAt, version)
  if (userId !== null) Object.assign(r, { userId, handle: sessionHandle(key) })
  return r
}

/** A command and how many replies the client had delivered when it was sent. */
interface Sent {
  args: readonly string[]
  key: string
  repliesBefore: number
}

/**
 * node-redis behind a recorder: `ordered` gives an object shaped like a node-redis client (one connection, so the
 * engine may pipeline), otherwise a bare function (the engine waits for each reply before an ordered next command).
 */
function recorder(ordered: boolean): { sent: Sent[]; client: unknown } {
  const sent: Sent[] = []
  let replies = 0
  const forward = (args: readonly string[], key: string, signal?: AbortSignal) => {
    sent.push({ args, key, repliesBefore: replies })
    return node.sendCommand([...args], signal ? { abortSignal: signal } : {}).finally(() => replies++)
  }
  if (!ordered) return { sent, client: ((c: RedisCommand) => forward(c.args, c.key, c.signal)) satisfies RedisSend }
  return {
    sent,
    client: {
      sendCommand: (args: string[], options?: { abortSignal?: AbortSignal }) => forward(args, '', options?.abortSignal),
      duplicate: () => {
        throw new Error('not used')
      },
    },
  }
}

const engines: Array<[string, () => SessionEngine]> = [
  ['node-redis', () => redisEngine({ client: node, prefix })],
  ['ioredis', () => redisEngine({ client: io, prefix })],
  [
    'a function client',
    () => redisEngine({ client: (c: RedisCommand) => node.sendCommand([...c.args], { abortSignal: c.signal }), prefix }),
  ],
]

describe('redis user index: what is stored', () => {
  it('keeps one sorted set per user, named by the SHA-256 of the id in a hash tag, members handle:digest scored by expiry', async () => {
    const e = redisEngine({ client: node, prefix })
    const ada = `ada ${newUser()} {tag} *`
    const [laptop, phone] = [newKey(), newKey()]
    const soon = new Date(Date.UTC(2030, 0, 1, 6))
    await e.create(laptop, signedIn(laptop, ada, soon))
    await e.create(phone, signedIn(phone, ada, later))
    const set = userKey(ada)
    expect(await io.type(set)).toBe('zset')
    expect(await io.zrange(set, 0, -1, 'WITHSCORES')).toEqual([
      memberOf(laptop),
      String(soon.getTime()),
      memberOf(phone),
      String(later.getTime()),
    ])
    // The set goes with its latest session.
    expect(await io.pexpiretime(set)).toBe(later.getTime())
    // Neither the user id nor a session key appears in any key name; the values name the user, never the key.
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, batch] = await io.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      keys.push(...batch)
    } while (cursor !== '0')
    expect(keys.some((k) => k.includes('ada') || k.includes(laptop) || k.includes(phone))).toBe(false)
    expect(await io.get(sessionKey(laptop))).not.toContain(laptop)
    expect((await e.read(laptop, now))?.userId).toBe(ada)
  })

  it('raises a score when an update or a touch extends the expiry, and never lowers it', async () => {
    const e = redisEngine({ client: io, prefix })
    const ada = newUser()
    const key = newKey()
    await e.create(key, signedIn(key, ada, later))
    const further = new Date(later.getTime() + 60_000)
    await e.update(key, signedIn(key, ada, further, 2), 1)
    expect(Number(await io.zscore(userKey(ada), memberOf(key)))).toBe(further.getTime())
    const furthest = new Date(later.getTime() + 120_000)
    await e.touch!(key, furthest)
    expect(Number(await io.zscore(userKey(ada), memberOf(key)))).toBe(furthest.getTime())
    expect(await io.pexpiretime(sessionKey(key))).toBe(furthest.getTime())
    expect(await io.pexpiretime(userKey(ada))).toBe(furthest.getTime())
    // A shorter expiry leaves the score where it was: it may exceed the session's expiry, never fall below it.
    await e.update(key, signedIn(key, ada, later, 3), 2)
    expect(Number(await io.zscore(userKey(ada), memberOf(key)))).toBe(furthest.getTime())
    expect((await e.listUser!(ada, now)).map((r) => r.expiresAt)).toEqual([later])
  })

  it('a destroyed, moved or signed-out session leaves its set at once (no member waits for its score)', async () => {
    const e = redisEngine({ client: node, prefix })
    const [ada, bob] = [newUser('ada'), newUser('bob')]
    const [flushed, moved, signedOut] = [newKey(), newKey(), newKey()]
    for (const key of [flushed, moved, signedOut]) await e.create(key, signedIn(key, ada))
    await e.destroy(flushed)
    await e.update(moved, signedIn(moved, bob, later, 2), 1)
    await e.update(signedOut, signedIn(signedOut, null, later, 2), 1)
    expect(await io.exists(userKey(ada))).toBe(0) // its last member went, and Redis drops an empty set
    expect(await io.zrange(userKey(bob), 0, -1)).toEqual([memberOf(moved)])
  })
})

describe('redis user index: ordering without cross-slot scripts', () => {
  for (const ordered of [true, false]) {
    const mode = ordered ? 'one connection (node-redis client shape)' : 'a function client'
    it(`a signed-in create sends the index write first, ${ordered ? 'in the same round trip' : 'and the SET only after its reply'} (${mode})`, async () => {
      const { sent, client } = recorder(ordered)
      const e = redisEngine({ client: client as never, prefix })
      const warm = newKey()
      await e.create(warm, signedIn(warm, newUser())) // loads the index script if the server lacks it
      sent.length = 0
      const ada = newUser()
      const key = newKey()
      await e.create(key, signedIn(key, ada))
      expect(sent.map((c) => c.args[0])).toEqual(['EVALSHA', 'SET'])
      expect(sent[0]!.args[3]).toBe(userKey(ada))
      expect(sent[1]!.args[1]).toBe(sessionKey(key))
      expect(sent[1]!.repliesBefore - sent[0]!.repliesBefore).toBe(ordered ? 0 : 1)
    })

    it(`a failed index write never leaves the new record live (${mode})`, async () => {
      const e = redisEngine({ client: recorder(ordered).client as never, prefix })
      const ada = newUser()
      await io.set(userKey(ada), 'not a sorted set', 'PX', 60_000) // every index write for ada now fails (WRONGTYPE)
      const key = newKey()
      await expectSessionError(e.create(key, signedIn(key, ada)), 'ENGINE')
      expect(await io.exists(sessionKey(key))).toBe(0)
      // An update that cannot index its new expiry either fails before writing or takes the session down with it.
      const bob = newUser()
      const other = newKey()
      await e.create(other, signedIn(other, bob))
      await io.del(userKey(bob))
      await io.set(userKey(bob), 'not a sorted set', 'PX', 60_000)
      await expectSessionError(e.update(other, signedIn(other, bob, new Date(later.getTime() + 1000), 2), 1), 'ENGINE')
      const after = await e.read(other, now)
      expect(after === null || after.version === 1).toBe(true)
      const third = newKey()
      await io.del(userKey(bob))
      await e.create(third, signedIn(third, bob))
      await io.del(userKey(bob))
      await io.set(userKey(bob), 'not a sorted set', 'PX', 60_000)
      await expectSessionError(e.touch!(third, new Date(later.getTime() + 2000)), 'ENGINE')
      const touched = await e.read(third, now)
      expect(touched === null || touched.expiresAt.getTime() === later.getTime()).toBe(true)
    })
  }

  it('keeps an anonymous session at one command per operation; a signed-in write adds one index command', async () => {
    const { sent, client } = recorder(false)
    const e = redisEngine({ client: client as never, prefix })
    const warm = newKey()
    await e.create(warm, signedIn(warm, newUser()))
    await e.update(warm, signedIn(warm, newUser(), later, 2), 1)
    await e.touch!(warm, later)
    await e.destroy(warm)
    const commands = async (run: () => Promise<unknown>) => {
      sent.length = 0
      await run()
      return sent.map((c) => c.args[0])
    }
    const anonymous = newKey()
    expect(await commands(() => e.create(anonymous, record('{}', later)))).toEqual(['SET'])
    expect(await commands(() => e.read(anonymous, now))).toEqual(['GET'])
    expect(await commands(() => e.update(anonymous, record('{}', later, 2), 1))).toEqual(['EVALSHA'])
    expect(await commands(() => e.touch!(anonymous, later))).toEqual(['EVALSHA'])
    expect(await commands(() => e.destroy(anonymous))).toEqual(['EVALSHA'])
    const ada = newUser()
    const key = newKey()
    expect(await commands(() => e.create(key, signedIn(key, ada)))).toEqual(['EVALSHA', 'SET'])
    expect(await commands(() => e.read(key, now))).toEqual(['GET'])
    expect(await commands(() => e.update(key, signedIn(key, ada, later, 2), 1))).toEqual(['EVALSHA', 'EVALSHA'])
    // touch learns the owner from the session, raises the index, then moves the expiry.
    expect(await commands(() => e.touch!(key, later))).toEqual(['EVALSHA', 'EVALSHA', 'EVALSHA'])
    // Sign-out keeping the data: the update, then the member's removal.
    expect(await commands(() => e.update(key, signedIn(key, null, later, 3), 2))).toEqual(['EVALSHA', 'ZREM'])
    await e.update(key, signedIn(key, ada, later, 4), 3)
    expect(await commands(() => e.destroy(key))).toEqual(['EVALSHA', 'ZREM'])
  })
})

describe('redis user index: members checked against their sessions', () => {
  for (const [label, make] of engines) {
    it(`a member whose session vanished is not listed, is removed, and its key cannot be created afterwards (${label})`, async () => {
      const events: SessionEvent[] = []
      const e = make()
      const ada = newUser()
      const [kept, vanished] = [newKey(), newKey()]
      await e.create(kept, signedIn(kept, ada))
      await e.create(vanished, signedIn(vanished, ada))
      await io.del(sessionKey(vanished)) // e.g. evicted by maxmemory
      expect((await e.listUser!(ada, now)).map((r) => r.handle)).toEqual([sessionHandle(kept)])
      expect(await io.zrange(userKey(ada), 0, -1)).toEqual([memberOf(kept)])
      // A create that added the member and had not written yet would now fail (core retries with a fresh key),
      // instead of leaving a live session the index forgot.
      await expectSessionError(e.create(vanished, signedIn(vanished, ada)), 'KEY_CONFLICT')
      const quiet = redisEngine({ client: node, prefix, onEvent: (event) => events.push(event) })
      expect(await quiet.read(vanished, now)).toBeNull()
      await expectSessionError(quiet.update(vanished, signedIn(vanished, ada, later, 2), 1), 'NOT_FOUND')
      await quiet.touch!(vanished, later)
      expect(await quiet.read(vanished, now)).toBeNull()
      expect(events).toEqual([])
      // A pending create under destroyUser is settled the same way.
      const pending = newKey()
      await io.zadd(userKey(ada), later.getTime(), memberOf(pending))
      expect(await e.destroyUser!(ada)).toBe(1)
      await expectSessionError(e.create(pending, signedIn(pending, ada)), 'KEY_CONFLICT')
      // That refused create left a member behind (it indexes before it writes); the next listing removes it.
      expect(await e.listUser!(ada, now)).toEqual([])
      expect(await io.exists(userKey(ada))).toBe(0)
    })

    it(`a member naming another user's session is skipped, removed, and never destroys that session (${label})`, async () => {
      const e = make()
      const [ada, bob] = [newUser('ada'), newUser('bob')]
      const key = newKey()
      await e.create(key, signedIn(key, bob))
      await io.zadd(userKey(ada), later.getTime(), memberOf(key)) // a stray member (a move whose clean-up failed)
      expect(await e.destroyUser!(ada)).toBe(0)
      expect(await e.read(key, now)).not.toBeNull()
      await io.zadd(userKey(ada), later.getTime(), memberOf(key))
      expect(await e.listUser!(ada, now)).toEqual([])
      expect(await io.exists(userKey(ada))).toBe(0)
      expect((await e.listUser!(bob, now)).map((r) => r.handle)).toEqual([sessionHandle(key)])
    })
  }
})

describe('redis user index: bounded growth', () => {
  it('after 200 create/destroy/move/sign-out/expire cycles a user has as many members as live sessions, and the sets of users with none are gone', async () => {
    const e = redisEngine({ client: node, prefix })
    const ada = newUser('ada')
    const others: string[] = []
    const live = new Set<string>()
    const expiring: string[] = []
    let maxMembers = 0
    for (let round = 0; round < 200; round++) {
      const wallNow = new Date()
      const farther = new Date(wallNow.getTime() + 3_600_000)
      const keys = Array.from({ length: 5 }, () => newKey())
      for (const key of keys) await e.create(key, signedIn(key, ada, farther))
      const [destroyed, moved, signedOut, expired, kept] = keys as [string, string, string, string, string]
      const bob = newUser('bob')
      others.push(bob)
      await e.destroy(destroyed)
      await e.update(moved, signedIn(moved, bob, farther, 2), 1)
      await e.update(signedOut, signedIn(signedOut, null, farther, 2), 1)
      // Expires in real time within a moment: Redis drops the key, the index prunes the member by its score.
      const soon = new Date(wallNow.getTime() + 50)
      await e.update(expired, signedIn(expired, ada, soon, 2), 1)
      expiring.push(expired)
      if (round % 3 === 0) await e.destroyUser!(ada, { handle: sessionHandle(kept) })
      else live.add(kept)
      await e.destroyUser!(bob)
      await e.destroy(signedOut)
      maxMembers = Math.max(maxMembers, await io.zcard(userKey(ada)))
    }
    // Every `expired` record was shortened, which never lowers a score: those members wait for their old score, or
    // for the next listing, which finds their sessions gone.
    await sleep(100)
    const listed = await e.listUser!(ada, new Date())
    expect(listed.map((r) => r.handle).sort()).toEqual([...live].map(sessionHandle).sort())
    expect(await io.zcard(userKey(ada))).toBe(live.size)
    // At most the live ones plus the shortened ones: nothing else ever lingered.
    expect(maxMembers).toBeLessThanOrEqual(live.size + 200)
    for (const bob of others) expect(await io.exists(userKey(bob))).toBe(0)
    expect(await e.destroyUser!(ada)).toBe(live.size)
    expect(await io.exists(userKey(ada))).toBe(0)
  })

  it('members whose score passed are pruned by the next index write', async () => {
    const e = redisEngine({ client: io, prefix })
    const ada = newUser()
    const soon = new Date(Date.now() + 40)
    const short = newKey()
    await e.create(short, signedIn(short, ada, soon))
    expect(await io.zcard(userKey(ada))).toBe(1)
    await sleep(80)
    const other = newKey()
    await e.create(other, signedIn(other, ada, later))
    expect(await io.zrange(userKey(ada), 0, -1)).toEqual([memberOf(other)])
  })
})

describe('redis user index: stats', () => {
  it('counts live sessions, signed-in ones, expiries and bytes under its own prefix only (a glob-like prefix taken literally)', async () => {
    const own = uniquePrefix('stats[*]?')
    const sibling = `${own.slice(0, -1)}x:`
    const e = redisEngine({ client: node, prefix: own })
    const neighbour = redisEngine({ client: node, prefix: sibling })
    expect(await e.stats!(now)).toEqual({ sessions: 0, earliestExpiry: null, latestExpiry: null, bytes: 0, signedIn: 0 })
    const soon = new Date(Date.UTC(2030, 0, 1, 1))
    const keys = Array.from({ length: 1200 }, () => newKey()) // more than one SCAN round
    await Promise.all(keys.map((key, i) => e.create(key, i < 300 ? signedIn(key, newUser(), i === 0 ? soon : later) : record('{}', later))))
    await neighbour.create(newKey(), record('{}', later))
    const expired = newKey()
    await e.create(expired, record('{}', new Date(Date.UTC(2030, 0, 1)))) // expired at `now`
    await io.set(`${own}${sha('foreign')}`, 'not a session', 'PX', 60_000)
    const stats = await e.stats!(now)
    expect(stats).toMatchObject({ sessions: 1200, signedIn: 300, earliestExpiry: soon, latestExpiry: later })
    expect(stats.bytes).toBeGreaterThan(1200 * 40)
    expect(isSessionError(await e.stats!(new Date(Number.NaN)).catch((x: unknown) => x), 'DATA')).toBe(true)
  })
})

describe('redis user index: churnUserIndex leaves no index entry behind', () => {
  const count = async (users: readonly string[]) => {
    let members = 0
    let sets = 0
    for (const id of users) {
      members += await io.zcard(userKey(id))
      sets += await io.exists(userKey(id))
    }
    return { members, sets }
  }
  /** Empty placeholders under the prefix (a listing or destroyUser found a member's key gone). */
  const placeholders = async (p: string) => {
    let found = 0
    let cursor = '0'
    do {
      const [next, keys] = await io.scan(cursor, 'MATCH', `${p}*`, 'COUNT', 1000)
      cursor = next
      for (const key of keys) if ((await io.type(key)) === 'string' && (await io.strlen(key)) === 0) found++
    } while (cursor !== '0')
    return found
  }

  for (const [label, make] of engines) {
    it(`200 cycles: no member and no set of the churned users remain, and no placeholder (${label})`, async () => {
      const e = make()
      const before = await placeholders(prefix) // other tests of this file leave some on purpose
      const { userIds, created } = await churnUserIndex(e, { cycles: 200, now: new Date() })
      expect(created).toBe(1400)
      expect(await count(userIds)).toEqual({ members: 0, sets: 0 })
      expect(await placeholders(prefix)).toBe(before)
    })
  }
})
