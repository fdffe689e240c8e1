import { SessionError } from '@sess/core'
import { describe, expect, it } from 'vitest'
import { errorReply } from './errors.js'
import { DemoError, expirySeconds, jsonObject, text } from './input.js'

describe('errorReply', () => {
  it('answers a DemoError with its status and message', () => {
    expect(errorReply(new DemoError('user must be …'))).toEqual({ status: 400, json: { error: 'user must be …' } })
    expect(errorReply(new DemoError('request entity too large', 413))).toEqual({ status: 413, json: { error: 'request entity too large' } })
  })

  it('answers session errors: DATA 400 with its message, NOT_FOUND 400, a failed save 500 without details', () => {
    expect(errorReply(new SessionError('DATA', 'core', 'cannot store a function'))).toEqual({
      status: 400,
      json: { error: '[@sess/core] cannot store a function' },
    })
    expect(errorReply(new SessionError('NOT_FOUND', 'sqlite', 'gone'))).toEqual({
      status: 400,
      json: { error: 'the session ended meanwhile (logged out elsewhere): try again' },
    })
    expect(errorReply(new SessionError('ENGINE', 'sqlite', 'update failed: disk full'))).toEqual({
      status: 500,
      json: { error: 'the session could not be saved' },
    })
  })

  it('answers anything else 500 "internal error", leaking nothing', () => {
    expect(errorReply(new Error('secret path /etc/…'))).toEqual({ status: 500, json: { error: 'internal error' } })
    expect(errorReply('a string')).toEqual({ status: 500, json: { error: 'internal error' } })
  })
})

describe('input validation', () => {
  it('jsonObject accepts objects only', () => {
    expect(jsonObject({ a: 1 })).toEqual({ a: 1 })
    for (const value of [undefined, null, [1], 'x', 1]) expect(() => jsonObject(value)).toThrow(DemoError)
  })

  it('text trims and refuses empty, non-string and over-200-character values', () => {
    expect(text('  ada ', 'user')).toBe('ada')
    expect(text('x'.repeat(200), 'user')).toHaveLength(200)
    for (const value of ['', '   ', 42, null, 'x'.repeat(201)]) expect(() => text(value, 'user')).toThrow(/^user must be/)
  })

  it('expirySeconds accepts a number ≥ 0 or null', () => {
    expect(expirySeconds(0)).toBe(0)
    expect(expirySeconds(3600)).toBe(3600)
    expect(expirySeconds(null)).toBeNull()
    for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined, true])
      expect(() => expirySeconds(value)).toThrow(/^seconds must be/)
  })
})
