import { afterEach, describe, expect, it, vi } from 'vitest'
import { readCookie, readSessionCookie } from './cookie.js'

/**
 * Counts the characters `String.prototype.indexOf` scans during `run` (the parser's only searching primitive):
 * a scan from `from` that finds a match at `found` looks at `found - from + 1` characters, a miss at the rest.
 */
function scannedCharacters(run: () => void): number {
  const original = String.prototype.indexOf
  let scanned = 0
  const spy = vi.spyOn(String.prototype, 'indexOf').mockImplementation(function (this: string, search: string, from?: number) {
    const start = Math.max(0, from ?? 0)
    const found = original.call(this, search, start)
    scanned += found === -1 ? this.length - start : found - start + 1
    return found
  })
  try {
    run()
  } finally {
    spy.mockRestore()
  }
  return scanned
}

afterEach(() => vi.restoreAllMocks())

describe('the cookie parser is linear (hole: quadratic on ;-runs)', () => {
  const shapes: Array<[string, (n: number) => string]> = [
    ['a run of ";"', (n) => ';'.repeat(n)],
    ['a run of ";" then one cookie', (n) => `${';'.repeat(n)}a=1`],
    ['valueless segments "x;"', (n) => 'x;'.repeat(n / 2)],
    ['segments "a=;"', (n) => 'a=;'.repeat(n / 3)],
    ['a run of "="', (n) => '='.repeat(n)],
    ['";" runs between cookies', (n) => `a=1${';'.repeat(n / 2)}b=2${';'.repeat(n / 2)}`],
  ]
  for (const [label, make] of shapes) {
    it(`scans each character of ${label} a bounded number of times, at 16 KB and at 160 KB alike`, () => {
      for (const size of [16 * 1024, 160 * 1024]) {
        const header = make(size)
        const scanned = scannedCharacters(() => {
          readCookie(header, 'sessionid')
          readSessionCookie(header, 'sessionid', true)
        })
        // readCookie once + readSessionCookie with chunking (the whole name, then name.0): three passes of ≤ 2 scans.
        expect(scanned).toBeLessThanOrEqual(6 * header.length + 16)
      }
    })
  }

  it('a 1 MB header of ";" parses to nothing, without throwing', () => {
    const header = ';'.repeat(1024 * 1024)
    expect(readCookie(header, 'sessionid')).toBeNull()
    expect(readSessionCookie(header, 'sessionid', true)).toBeNull()
    expect(readSessionCookie(header, 'sessionid', false)).toBeNull()
  })

  it('still finds the cookie after long runs of ";" and valueless segments', () => {
    expect(readCookie(`${';'.repeat(100_000)}sessionid=abc`, 'sessionid')).toBe('abc')
    expect(readCookie(`${'x;'.repeat(50_000)} sessionid = abc ;b=2`, 'sessionid')).toBe('abc')
    expect(readCookie('a;b;sessionid=v;c=1', 'sessionid')).toBe('v')
    expect(readCookie('a;b=2;c;sessionid=v', 'sessionid')).toBe('v')
    expect(readCookie('noequals;sessionid', 'sessionid')).toBeNull()
    expect(readSessionCookie(`${';'.repeat(10_000)}s.0=ab;;;;s.1=cd`, 's', true)).toEqual({ value: 'abcd', chunks: 2 })
  })
})
