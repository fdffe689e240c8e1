import { describe, expect, it } from 'vitest'
import { expireCookie, MAX_COOKIE_AGE_SECONDS, readCookie, readSessionCookie, resolveCookie, serializeCookie } from './cookie.js'
import { isSessionError } from './errors.js'

describe('readCookie', () => {
  it('finds a cookie among others, with odd spacing', () => {
    expect(readCookie('a=1; sessionid=abc; b=2', 'sessionid')).toBe('abc')
    expect(readCookie('sessionid=abc', 'sessionid')).toBe('abc')
    expect(readCookie('  sessionid = abc ;b=2', 'sessionid')).toBe('abc')
    expect(readCookie('a=1;sessionid=abc', 'sessionid')).toBe('abc')
  })

  it('takes the first of duplicate names', () => {
    expect(readCookie('sessionid=first; sessionid=second', 'sessionid')).toBe('first')
  })

  it('does not match on a name that only ends or starts with the wanted one', () => {
    expect(readCookie('xsessionid=1; sessionidx=2', 'sessionid')).toBeNull()
    expect(readCookie('a=sessionid=3', 'sessionid')).toBeNull()
  })

  it('unquotes a quoted value and keeps "=" inside values', () => {
    expect(readCookie('sessionid="abc"', 'sessionid')).toBe('abc')
    expect(readCookie('sessionid=a=b=c', 'sessionid')).toBe('a=b=c')
  })

  it('never throws on junk', () => {
    for (const header of [
      undefined,
      null,
      '',
      ';',
      ';;;',
      '=',
      '==',
      'sessionid',
      '\u0000',
      '%E0%A4%A',
      'a'.repeat(10_000),
      '; ; sessionid=; ;',
    ]) {
      expect(() => readCookie(header, 'sessionid')).not.toThrow()
    }
    expect(readCookie('sessionid=; a=1', 'sessionid')).toBe('')
    expect(readCookie('sessionid', 'sessionid')).toBeNull()
  })
})

describe('readSessionCookie', () => {
  it('reassembles chunks only when chunking is on and the whole cookie is absent', () => {
    expect(readSessionCookie('s.0=ab; s.1=cd', 's', true)).toEqual({ value: 'abcd', chunks: 2 })
    expect(readSessionCookie('s.0=ab; s.1=cd', 's', false)).toBeNull()
    expect(readSessionCookie('s=whole; s.0=ab', 's', true)).toEqual({ value: 'whole', chunks: 0 })
    expect(readSessionCookie('s.1=cd', 's', true)).toBeNull()
  })
})

describe('resolveCookie', () => {
  it("uses Django's defaults", () => {
    const cookie = resolveCookie()
    expect(cookie).toMatchObject({ name: 'sessionid', path: '/', httpOnly: true, secure: false, sameSite: 'lax', partitioned: false })
    expect(cookie.attributes).toBe('; Path=/; HttpOnly; SameSite=Lax')
  })

  it('renders every attribute', () => {
    const cookie = resolveCookie({
      name: '__Secure-s',
      domain: 'example.com',
      path: '/app',
      secure: true,
      httpOnly: false,
      sameSite: 'none',
      partitioned: true,
    })
    expect(cookie.attributes).toBe('; Domain=example.com; Path=/app; Secure; SameSite=None; Partitioned')
    expect(resolveCookie({ sameSite: false }).attributes).toBe('; Path=/; HttpOnly')
    expect(resolveCookie({ sameSite: 'strict' }).attributes).toContain('SameSite=Strict')
  })

  const bad: Array<[string, Parameters<typeof resolveCookie>[0]]> = [
    ['a semicolon in the path', { path: '/a;b' }],
    ['CR in the domain', { domain: 'a.com\r' }],
    ['LF in the path', { path: '/\nSet-Cookie: x=1' }],
    ['a semicolon in the domain', { domain: 'a.com; Secure' }],
    ['an empty domain', { domain: '' }],
    ['a space in the name', { name: 'session id' }],
    ['a semicolon in the name', { name: 's;x' }],
    ['an empty name', { name: '' }],
    ['SameSite=None without Secure', { sameSite: 'none' }],
    ['Partitioned without Secure', { partitioned: true }],
    ['an unknown SameSite', { sameSite: 'loose' as 'lax' }],
    ['a __Host- cookie with a domain', { name: '__Host-s', secure: true, domain: 'a.com' }],
    ['a __Secure- cookie without Secure', { name: '__Secure-s' }],
  ]
  for (const [label, options] of bad) {
    it(`refuses ${label} with SessionError('CONFIG')`, () => {
      let error: unknown
      try {
        resolveCookie(options)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG')).toBe(true)
      expect((error as Error).message).toMatch(/^\[@sess\/core\] /)
    })
  }
})

describe('serializeCookie', () => {
  const cookie = resolveCookie()
  const now = Date.UTC(2030, 0, 1)

  it('sets Max-Age and Expires together', () => {
    expect(serializeCookie(cookie, 'sessionid', 'v', 60, now)).toBe(
      'sessionid=v; Max-Age=60; Expires=Tue, 01 Jan 2030 00:01:00 GMT; Path=/; HttpOnly; SameSite=Lax',
    )
  })

  it('omits both for a browser-session cookie', () => {
    expect(serializeCookie(cookie, 'sessionid', 'v', null, now)).toBe('sessionid=v; Path=/; HttpOnly; SameSite=Lax')
  })

  it('caps Max-Age at 400 days and never goes below 0', () => {
    expect(serializeCookie(cookie, 'sessionid', 'v', 10 ** 9, now)).toContain(`Max-Age=${MAX_COOKIE_AGE_SECONDS};`)
    expect(serializeCookie(cookie, 'sessionid', 'v', -5, now)).toContain('Max-Age=0;')
  })

  it('expires a cookie in the past', () => {
    expect(expireCookie(cookie, 'sessionid')).toBe(
      'sessionid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax',
    )
  })
})
