import { isSessionError } from '@sess/core'
import { richSerializer } from '@sess/core/rich'
import { CookieJar, createHarness, expectSessionError, newKey, record } from '@sess/engine-tests'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX, memoryEngine, recordSize } from './index.js'

const now = new Date(Date.UTC(2030, 0, 1))
const later = new Date(Date.UTC(2030, 0, 2))

describe('memory: bounds', () => {
  it('holds at most max sessions and evicts the least recently used one', async () => {
    const e = memoryEngine({ max: 3 })
    const [a, b, c, d] = [newKey(), newKey(), newKey(), newKey()]
    await e.create(a, record('{"a":1}', later))
    await e.create(b, record('{"b":1}', later))
    await e.create(c, record('{"c":1}', later))
    await e.read(a, now) // a is now more recent than b
    await e.create(d, record('{"d":1}', later))
    expect(e.size).toBe(3)
    expect(await e.read(b, now)).toBeNull()
    expect((await e.read(a, now))?.payload).toBe('{"a":1}')
    expect((await e.read(c, now))?.payload).toBe('{"c":1}')
    expect((await e.read(d, now))?.payload).toBe('{"d":1}')
  })

  it('never holds more than max after many creates; the newest stay', async () => {
    const e = memoryEngine({ max: 100 })
    const keys = Array.from({ length: 1000 }, () => newKey())
    for (const key of keys) await e.create(key, record('{}', later))
    expect(e.size).toBe(100)
    for (const key of keys.slice(-100)) expect(await e.read(key, now)).not.toBeNull()
    for (const key of keys.slice(0, 900)) expect(await e.read(key, now)).toBeNull()
  })

  it('an evicted session cannot be updated: NOT_FOUND, never resurrected', async () => {
    const e = memoryEngine({ max: 1 })
    const [a, b] = [newKey(), newKey()]
    await e.create(a, record('{}', later))
    await e.create(b, record('{}', later))
    await expectSessionError(e.update(a, record('{"late":true}', later, 2), 1), 'NOT_FOUND')
    expect(await e.read(a, now)).toBeNull()
  })

  it('an evicted visitor is logged out: the next request gets a fresh, empty session', async () => {
    const h = createHarness<{ user?: string }>(memoryEngine({ max: 1 }))
    const first = new CookieJar()
    const second = new CookieJar()
    await h.request(first, (s) => s.set('user', 'ada'))
    await h.request(second, (s) => s.set('user', 'bob'))
    const { result, session } = await h.request(first, (s) => s.get('user'))
    expect(result).toBeUndefined()
    expect(session.key).toBeNull()
    expect((await h.request(second, (s) => s.get('user'))).result).toBe('bob')
  })

  it('keeps the approximate bytes under maxSize, evicting the least recently used', async () => {
    const maxSize = 20_000
    const e = memoryEngine({ maxSize })
    const payload = JSON.stringify({ blob: 'x'.repeat(900) })
    const keys = Array.from({ length: 50 }, () => newKey())
    for (const key of keys) {
      await e.create(key, record(payload, later))
      expect(e.calculatedSize).toBeLessThanOrEqual(maxSize)
    }
    const perRecord = recordSize(payload)
    expect(e.size).toBe(Math.floor(maxSize / perRecord))
    expect(e.calculatedSize).toBe(e.size * perRecord)
    expect(await e.read(keys[0]!, now)).toBeNull()
    expect((await e.read(keys[49]!, now))?.payload).toBe(payload)
  })

  it('counts an update that grows a record against maxSize', async () => {
    const e = memoryEngine({ maxSize: 10_000 })
    const small = newKey()
    const big = newKey()
    await e.create(small, record('{}', later))
    await e.create(big, record('{}', later))
    await e.update(big, record(JSON.stringify({ blob: 'x'.repeat(4_000) }), later, 2), 1)
    expect(e.calculatedSize).toBeLessThanOrEqual(10_000)
    expect(e.calculatedSize).toBe(recordSize('{}') + recordSize(JSON.stringify({ blob: 'x'.repeat(4_000) })))
    await e.update(big, record('{}', later, 3), 2)
    expect(e.calculatedSize).toBe(recordSize('{}') + recordSize('{}'))
  })

  it('evicts the least recently used sessions when an update grows a record past maxSize', async () => {
    const e = memoryEngine({ maxSize: 10_000 })
    const [old, recent, growing] = [newKey(), newKey(), newKey()]
    await e.create(old, record('{}', later))
    await e.create(recent, record('{}', later))
    await e.create(growing, record('{}', later))
    await e.read(recent, now)
    const big = JSON.stringify({ blob: 'x'.repeat(4_800) })
    await e.update(growing, record(big, later, 2), 1)
    expect(e.calculatedSize).toBeLessThanOrEqual(10_000)
    expect(await e.read(old, now)).toBeNull()
    expect(await e.read(recent, now)).not.toBeNull()
    expect((await e.read(growing, now))?.payload).toBe(big)
  })

  it('refuses a single record larger than maxSize with DATA and keeps the stored one', async () => {
    const e = memoryEngine({ maxSize: 1_000 })
    const key = newKey()
    await expectSessionError(e.create(key, record('x'.repeat(1_000), later)), 'DATA')
    expect(e.size).toBe(0)
    await e.create(key, record('{"ok":1}', later))
    await expectSessionError(e.update(key, record('x'.repeat(1_000), later, 2), 1), 'DATA')
    expect(await e.read(key, now)).toEqual({ payload: '{"ok":1}', expiresAt: later, version: 1 })
  })

  it('a too-large session fails the commit (5xx), it is not dropped silently', async () => {
    const h = createHarness<{ blob?: string }>(memoryEngine({ maxSize: 2_000 }))
    const error = await h
      .request(new CookieJar(), (s) => s.set('blob', 'x'.repeat(2_000)))
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(isSessionError(error, 'DATA')).toBe(true)
    expect((error as { status: number }).status).toBe(500)
  })
})

describe('memory: expiry', () => {
  it('does not return an expired record that is still in the cache, and drops it', async () => {
    const e = memoryEngine()
    const key = newKey()
    await e.create(key, record('{}', later))
    expect(e.size).toBe(1)
    expect(await e.read(key, later)).toBeNull()
    expect(e.size).toBe(0)
  })

  it('decides expiry by the passed now only, whatever the real clock says', async () => {
    const e = memoryEngine()
    const key = newKey()
    const past = new Date(Date.UTC(2001, 0, 1))
    await e.create(key, record('{"old":true}', past))
    expect((await e.read(key, new Date(past.getTime() - 1)))?.payload).toBe('{"old":true}')
    expect(await e.read(key, past)).toBeNull()
  })

  it('purgeExpired walks every entry, counts and removes only expired ones', async () => {
    const e = memoryEngine()
    const expired = Array.from({ length: 30 }, () => newKey())
    const live = Array.from({ length: 20 }, () => newKey())
    for (const key of expired) await e.create(key, record('{}', now))
    for (const key of live) await e.create(key, record('{}', later))
    expect(await e.purgeExpired(now)).toBe(30)
    expect(e.size).toBe(20)
    for (const key of live) expect(await e.read(key, now)).not.toBeNull()
  })

  it('touch keeps a session alive past its old expiry', async () => {
    const e = memoryEngine()
    const key = newKey()
    await e.create(key, record('{"t":1}', now, 4))
    await e.touch(key, later)
    expect(await e.read(key, new Date(now.getTime() + 1000))).toEqual({ payload: '{"t":1}', expiresAt: later, version: 4 })
  })

  it('dispose empties the cache', async () => {
    const e = memoryEngine()
    await e.create(newKey(), record())
    await e.dispose()
    expect(e.size).toBe(0)
  })
})

describe('memory: options', () => {
  it('defaults to max 10 000', () => {
    expect(DEFAULT_MAX).toBe(10_000)
    expect(memoryEngine().capabilities).toEqual({ durable: false, touch: true, purge: true, userIndex: true })
  })

  it.each([
    ['max: 0', { max: 0 }],
    ['max: -1', { max: -1 }],
    ['max: 1.5', { max: 1.5 }],
    ['max: NaN', { max: Number.NaN }],
    ['max: Infinity', { max: Number.POSITIVE_INFINITY }],
    ['max: "100"', { max: '100' }],
    ['maxSize: 0', { maxSize: 0 }],
    ['maxSize: -5', { maxSize: -5 }],
    ['maxSize: "1mb"', { maxSize: '1mb' }],
    ['options: null', null],
    ['options: "big"', 'big'],
  ])('refuses %s with CONFIG', (_, options) => {
    let error: unknown
    try {
      memoryEngine(options as never)
    } catch (e) {
      error = e
    }
    expect(isSessionError(error, 'CONFIG')).toBe(true)
    expect(String((error as Error).message)).toMatch(/^\[@sess\/memory\] /)
  })
})

describe('memory: rich values are copied in and out', () => {
  it('mutating a stored Date, Map or Set after the save, or a value read back, never changes what is stored', async () => {
    const h = createHarness<{ when?: Date; seen?: Set<string>; prefs?: Map<string, unknown> }>(memoryEngine(), {
      serializer: richSerializer,
    })
    const jar = new CookieJar()
    const when = new Date(1000)
    const seen = new Set(['a'])
    const prefs = new Map<string, unknown>([['theme', 'dark']])
    await h.request(jar, (s) => s.update({ when, seen, prefs }))
    when.setTime(2000)
    seen.add('b')
    prefs.set('theme', 'light')
    const first = await h.request(jar, async (s) => {
      const read = { when: await s.get('when'), seen: await s.get('seen'), prefs: await s.get('prefs') }
      expect(read.when).not.toBe(when)
      read.when!.setTime(3000)
      read.seen!.add('c')
      read.prefs!.set('theme', 'blue')
      return read
    })
    expect(first.headers.setCookie).toEqual([]) // mutated in place without `modified`: nothing saved
    const { result } = await h.request(jar, async (s) => ({
      when: await s.get('when'),
      seen: await s.get('seen'),
      prefs: await s.get('prefs'),
    }))
    expect(result).toEqual({ when: new Date(1000), seen: new Set(['a']), prefs: new Map([['theme', 'dark']]) })
    expect(result.when).not.toBe(first.result.when)
  })
})
