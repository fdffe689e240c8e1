import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_COOKIE_BYTES, MAX_COOKIE_SET_BYTES, MIN_COOKIE_BYTES, readSessionCookie, resolveCookie } from './cookie.js'
import { sessionCookies } from './cookie-set.js'
import type { SessionStore } from './engine.js'
import { isSessionError } from './errors.js'

const now = Date.UTC(2030, 0, 1)
const chunkingStore = { name: 'test-store', chunking: true } as SessionStore
const plainStore = { name: 'test-store', chunking: false } as SessionStore

/** What the cookies in `setCookie` take in the next request's Cookie header, as a browser sends them. */
function nextCookieHeader(setCookie: string[]): string {
  return setCookie
    .filter((line) => !/Max-Age=0/.test(line))
    .map((line) => line.slice(0, line.indexOf(';')))
    .join('; ')
}

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  return undefined
}

describe('the session cookie set is bounded (hole 1: chunked cookies locked clients out with 431)', () => {
  it('defaults cookie.maxBytes to 6 KiB, well under the 8 KiB header line of many servers', () => {
    expect(DEFAULT_MAX_COOKIE_BYTES).toBe(6144)
    expect(resolveCookie().maxBytes).toBe(6144)
    expect(resolveCookie({ maxBytes: 12_000 }).maxBytes).toBe(12_000)
  })

  it.each([
    ['0', 0],
    ['below the minimum', MIN_COOKIE_BYTES - 1],
    ['above 10 full chunks', MAX_COOKIE_SET_BYTES + 1],
    ['fractional', 5000.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '6k'],
  ])('refuses cookie.maxBytes %s with CONFIG', (_, maxBytes) => {
    const error = thrown(() => resolveCookie({ maxBytes: maxBytes as number }))
    expect(isSessionError(error, 'CONFIG')).toBe(true)
    expect((error as Error).message).toMatch(/^\[@sess\/core\] cookie\.maxBytes/)
  })

  it('every value up to 64 KiB either fits in maxBytes of the next Cookie header or throws COOKIE_TOO_LARGE', () => {
    for (const maxBytes of [MIN_COOKIE_BYTES, 4096, DEFAULT_MAX_COOKIE_BYTES, 8192, MAX_COOKIE_SET_BYTES]) {
      const cookie = resolveCookie({ maxBytes })
      let largestSent = 0
      for (let length = 1; length <= 64 * 1024; length += 97) {
        const value = 'v'.repeat(length)
        let setCookie: string[]
        try {
          setCookie = sessionCookies(chunkingStore, cookie, value, 60, now, 3)
        } catch (error) {
          expect(isSessionError(error, 'COOKIE_TOO_LARGE')).toBe(true)
          expect((error as Error).message).toMatch(/^\[@sess\/test-store\] /)
          continue
        }
        const header = nextCookieHeader(setCookie)
        expect(header.length).toBeLessThanOrEqual(maxBytes)
        for (const line of setCookie) expect(line.slice(0, line.indexOf(';')).length).toBeLessThanOrEqual(4096)
        expect(readSessionCookie(header, 'sessionid', true)?.value).toBe(value)
        largestSent = Math.max(largestSent, header.length)
      }
      // The bound is used, not undercut by much: the largest set sent is within one step of it.
      expect(largestSent).toBeGreaterThan(maxBytes - 200)
    }
  })

  it('refuses a single cookie over maxBytes even without chunking', () => {
    const cookie = resolveCookie({ maxBytes: 1000 })
    expect(sessionCookies(plainStore, cookie, 'k'.repeat(990), 60, now, 0)).toHaveLength(1)
    const error = thrown(() => sessionCookies(plainStore, cookie, 'k'.repeat(991), 60, now, 0))
    expect(isSessionError(error, 'COOKIE_TOO_LARGE')).toBe(true)
    expect((error as Error).message).toContain('cookie.maxBytes is 1000')
  })

  it('with the default bound, a 12 KB sealed value (5 chunks before the fix) is refused', () => {
    const error = thrown(() => sessionCookies(chunkingStore, resolveCookie(), 's'.repeat(12_000), 60, now, 0))
    expect(isSessionError(error, 'COOKIE_TOO_LARGE')).toBe(true)
  })

  it('a fitting chunked set expires the stale chunks of the incoming request', () => {
    const setCookie = sessionCookies(chunkingStore, resolveCookie(), 's'.repeat(5000), 60, now, 4)
    expect(setCookie.map((line) => line.slice(0, line.indexOf('=')))).toEqual([
      'sessionid',
      'sessionid.0',
      'sessionid.1',
      'sessionid.2',
      'sessionid.3',
    ])
    expect(setCookie.filter((line) => /Max-Age=0/.test(line)).map((line) => line.slice(0, line.indexOf('=')))).toEqual([
      'sessionid',
      'sessionid.2',
      'sessionid.3',
    ])
  })
})
