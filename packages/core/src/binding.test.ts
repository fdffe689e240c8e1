import { describe, expect, it } from 'vitest'
import { privateCacheControl, varyWithCookie } from './binding.js'

describe('privateCacheControl (L13: a response carrying the session cookie is never stored by a shared cache)', () => {
  it('adds private, keeps the app’s other directives, and drops public and s-maxage', () => {
    expect(privateCacheControl(undefined)).toBe('private')
    expect(privateCacheControl('')).toBe('private')
    expect(privateCacheControl('max-age=60')).toBe('max-age=60, private')
    expect(privateCacheControl('public, max-age=300, s-maxage=600')).toBe('max-age=300, private')
    expect(privateCacheControl(['no-cache', 'must-revalidate'])).toBe('no-cache, must-revalidate, private')
  })

  it('leaves a value that already says private or no-store alone', () => {
    expect(privateCacheControl('private, max-age=0')).toBeNull()
    expect(privateCacheControl('No-Store')).toBeNull()
    expect(privateCacheControl('private="set-cookie"')).toBeNull()
  })
})

describe('varyWithCookie', () => {
  it('adds Cookie once and respects *', () => {
    expect(varyWithCookie(undefined)).toBe('Cookie')
    expect(varyWithCookie('Accept-Encoding')).toBe('Accept-Encoding, Cookie')
    expect(varyWithCookie('accept, cookie')).toBeNull()
    expect(varyWithCookie('*')).toBeNull()
  })
})
