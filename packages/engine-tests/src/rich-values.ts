import { expect } from 'vitest'

/**
 * One value of every type the rich serializer keeps, as session data keys: `Date`, `Map`, `Set`, `BigInt`,
 * `undefined`, `NaN`, `±Infinity`, `-0`, `RegExp`, typed arrays, `ArrayBuffer`, `URL`, a null-prototype object,
 * a `__proto__` key kept as data, a repeated reference and a cycle. A fresh copy per call.
 */
export function richValues(): Record<string, unknown> {
  const shared = { id: 7 }
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic.self = cyclic
  return {
    date: new Date('2026-12-02T01:02:03.004Z'),
    map: new Map<unknown, unknown>([
      ['a', 1],
      [2, new Date(0)],
    ]),
    set: new Set(['x', 'y']),
    bigint: 2n ** 70n,
    undef: undefined,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    negInf: Number.NEGATIVE_INFINITY,
    negZero: -0,
    regexp: /^s[e]ss$/giu,
    bytes: new Uint8Array([0, 127, 255]),
    floats: new Float64Array([1.5, -0.25]),
    buffer: new Uint8Array([1, 2, 3]).buffer,
    url: new URL('https://example.org/path?q=1#frag'),
    bare: Object.assign(Object.create(null) as object, { k: 'v' }),
    protoKey: JSON.parse('{"__proto__":{"polluted":true},"ok":1}'),
    repeated: { first: shared, second: shared },
    cyclic,
  }
}

/** Asserts that `actual` came back as {@link richValues} made it: equal values, same types, identities kept, no pollution. */
export function expectRichValues(actual: Record<string, unknown>): void {
  const expected = richValues()
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort())
  for (const key of Object.keys(expected)) {
    const value = expected[key]
    expect(actual[key], key).toEqual(value)
    if (typeof value === 'object' && value !== null) expect(Object.getPrototypeOf(actual[key]), key).toBe(Object.getPrototypeOf(value))
  }
  expect(String(actual.url)).toBe(String(expected.url))
  expect(actual.url).toBeInstanceOf(URL)
  expect(Object.is(actual.negZero, -0)).toBe(true)
  expect(Number.isNaN(actual.nan)).toBe(true)
  expect('undef' in actual).toBe(true)
  const repeated = actual.repeated as { first: object; second: object }
  expect(repeated.first).toBe(repeated.second)
  const cyclic = actual.cyclic as { self: unknown }
  expect(cyclic.self).toBe(cyclic)
  const protoKey = actual.protoKey as Record<string, unknown>
  expect(Object.getPrototypeOf(protoKey)).toBe(Object.prototype)
  expect(Object.hasOwn(protoKey, '__proto__')).toBe(true)
  expect(protoKey.polluted).toBeUndefined()
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
}

/** An app class for reviver tests: an amount of money in minor units. */
export class Money {
  /**
   * @param cents - the amount in minor units.
   * @param currency - an ISO 4217 code.
   */
  constructor(
    readonly cents: bigint,
    readonly currency: string,
  ) {}
}

/** The rich type that stores {@link Money}, for `createRichSerializer({ types: { Money: moneyType } })`. */
export const moneyType = {
  is: (value: unknown): value is Money => value instanceof Money,
  reduce: (money: Money): [bigint, string] => [money.cents, money.currency],
  revive: ([cents, currency]: [bigint, string]): Money => new Money(cents, currency),
}
