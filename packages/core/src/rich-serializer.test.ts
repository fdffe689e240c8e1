import { describe, expect, it } from 'vitest'
import { createRichSerializer, MAX_RICH_DEPTH, richSerializer } from './entry-rich.js'
import { isSessionError } from './errors.js'

/** What core writes: the payload envelope around the data. */
const envelope = (d: Record<string, unknown>) => ({ d, c: 1 })
const roundTrip = (value: unknown, serializer = richSerializer) =>
  (serializer.parse(serializer.stringify(envelope({ v: value }))) as { d: { v: unknown } }).d.v

class Money {
  constructor(
    readonly cents: bigint,
    readonly currency: string,
  ) {}
  toString() {
    return `${this.cents} ${this.currency}`
  }
}
const moneyType = {
  is: (value: unknown): value is Money => value instanceof Money,
  reduce: (m: Money) => [m.cents, m.currency],
  revive: ([cents, currency]: [bigint, string]) => new Money(cents, currency),
}

function sparse(): unknown[] {
  const array: unknown[] = [1]
  array[2] = 3
  return array
}

describe('richSerializer round trips', () => {
  const cases: Array<[string, unknown]> = [
    ['a Date', new Date('2026-12-02T01:02:03.004Z')],
    [
      'a Map with object keys',
      new Map<unknown, unknown>([
        [{ id: 1 }, 'one'],
        ['two', new Date(2)],
      ]),
    ],
    ['a Set', new Set([1, 'a', null])],
    ['a BigInt', 2n ** 70n],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['-0', -0],
    ['a RegExp with flags', /^a+b$/giu],
    ['a Uint8Array', new Uint8Array([0, 1, 254, 255])],
    ['a Float64Array', new Float64Array([1.5, -2, Number.NaN])],
    ['a BigInt64Array', new BigInt64Array([-1n, 2n ** 62n])],
    ['an ArrayBuffer', new Uint8Array([9, 8, 7]).buffer],
    ['a URL', new URL('https://example.org/a?b=c#d')],
    ['URLSearchParams', new URLSearchParams('a=1&a=2&b=3')],
    ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
    ['a sparse array', sparse()],
    ['undefined inside objects and arrays', { a: undefined, b: [undefined, 1] }],
    ['unicode', 'Zoë 🐍 \u2028 "quotes" \\'],
  ]
  for (const [label, value] of cases) {
    it(`keeps ${label}`, () => {
      expect(richSerializer.check!(value)).toBeUndefined()
      const back = roundTrip(value)
      expect(back).toEqual(value)
      if (typeof value === 'object' && value !== null) expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(value))
    })
  }

  it('keeps -0 distinct from 0 and NaN as NaN', () => {
    expect(Object.is(roundTrip(-0), -0)).toBe(true)
    expect(Number.isNaN(roundTrip(Number.NaN))).toBe(true)
  })

  it('keeps repeated references as one object and cycles as cycles', () => {
    const shared = { n: 1 }
    const cyclic: Record<string, unknown> = { shared, again: shared }
    cyclic.self = cyclic
    const back = roundTrip(cyclic) as typeof cyclic
    expect(back.shared).toBe(back.again)
    expect(back.self).toBe(back)
    expect(back.shared).toEqual({ n: 1 })
  })

  it('keeps an own __proto__ key as data, at the top level and nested, without touching any prototype', () => {
    const hostile = JSON.parse('{"__proto__":{"polluted":true},"nested":{"__proto__":{"polluted":true},"x":1}}')
    const back = roundTrip(hostile) as Record<string, any>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.hasOwn(back, '__proto__')).toBe(true)
    expect(Object.keys(back)).toEqual(['__proto__', 'nested'])
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')!.value).toEqual({ polluted: true })
    expect(Object.hasOwn(back.nested, '__proto__')).toBe(true)
    expect(back.nested.x).toBe(1)
    expect(back.polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})

describe('richSerializer refuses what it cannot bring back', () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['a class instance, naming the path and the class', { total: new Money(5n, 'EUR') }, /total is a Money instance/],
    ['a nested class instance in a Map', new Map([['k', [new Money(1n, 'EUR')]]]), /Money instance/],
    ['a function', { f: () => 1 }, /f is a function/],
    ['a symbol', Symbol('s'), /a symbol/],
    ['an Error', new Error('x'), /an? Error instance/],
    ['an object with symbol keys', { [Symbol('k')]: 1 }, /symbol keys/],
    ['a WeakMap', new WeakMap(), /WeakMap instance/],
  ]
  for (const [label, value, message] of refused) {
    it(`refuses ${label}`, () => {
      expect(richSerializer.check!(value)).toMatch(message)
    })
  }

  it(`refuses values nested more than ${MAX_RICH_DEPTH} levels, and huge depths without overflowing the stack`, () => {
    for (const depth of [MAX_RICH_DEPTH + 1, 100_000]) {
      const root: Record<string, unknown> = {}
      let node = root
      for (let i = 0; i < depth; i++) node = node.a = {}
      expect(richSerializer.check!(root)).toMatch(/nested too deeply/)
    }
    const fine: Record<string, unknown> = {}
    let node = fine
    for (let i = 0; i < MAX_RICH_DEPTH - 10; i++) node = node.a = {}
    expect(richSerializer.check!(fine)).toBeUndefined()
    expect(roundTrip(fine)).toEqual(fine)
  })
})

describe('richSerializer against hostile payloads', () => {
  it('refuses a megabyte of nested references before reviving it (no stack overflow)', () => {
    // A chain: entry i is an array holding a reference to entry i + 1.
    const count = 150_000
    const values: unknown[] = []
    for (let i = 0; i < count; i++) values.push([i + 1])
    values.push('end')
    const text = JSON.stringify(values)
    expect(text.length).toBeGreaterThan(1_000_000)
    expect(() => richSerializer.parse(text)).toThrow(/nested too deeply/)
  })

  it('refuses a megabyte of raw JSON nesting', () => {
    const depth = 500_000
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`
    expect(() => richSerializer.parse(text)).toThrow()
  })

  it('revives a wide, shallow megabyte payload (depth, not size, is limited)', () => {
    const list = Array.from({ length: 100_000 }, (_, i) => i)
    const text = richSerializer.stringify(envelope({ list }))
    expect(text.length).toBeGreaterThan(500_000)
    expect((richSerializer.parse(text) as { d: { list: number[] } }).d.list).toHaveLength(100_000)
  })

  it('a huge declared sparse array length does not allocate', () => {
    const back = richSerializer.parse(JSON.stringify([[-7, 2 ** 32 - 1]])) as unknown[]
    expect(back.length).toBe(2 ** 32 - 1)
    expect(Object.keys(back)).toEqual([])
  })

  for (const [label, text] of [
    ['a __proto__ key in a plain entry', '[{"__proto__":1},1]'],
    ['a __proto__ key in a null-prototype entry', '[["null","__proto__",1],1]'],
    ['an unknown type tag', '[["Money",1],1]'],
    ['a reference past the end', '[[5]]'],
    ['a typed array over something that is not a buffer', '[["Uint8Array",1],"x"]'],
    ['an ArrayBuffer that is not base64 text', '[["ArrayBuffer",1]]'],
    ['a malformed __proto__-keyed object', '[["~sess.protoKeyed",1],"x"]'],
    ['a self-referencing custom type', '[["~sess.protoKeyed",0]]'],
    ['text that is not JSON', '{not json'],
    ['an empty array', '[]'],
  ] as const) {
    it(`throws (the session reads as corrupt) on ${label}, and pollutes nothing`, () => {
      expect(() => richSerializer.parse(text)).toThrow()
      expect(({} as Record<string, unknown>)[1]).toBeUndefined()
      expect(Object.prototype).not.toHaveProperty('polluted')
    })
  }

  it('never evaluates: a payload that looks like code stays a string', () => {
    const text = JSON.stringify([{ x: 1 }, 'globalThis.hacked = true'])
    expect(richSerializer.parse(text)).toEqual({ x: 'globalThis.hacked = true' })
    expect((globalThis as Record<string, unknown>).hacked).toBeUndefined()
  })
})

describe('createRichSerializer with app types', () => {
  const serializer = createRichSerializer({ types: { Money: moneyType } })

  it('stores and revives a registered class, inside other rich values and twice by reference', () => {
    const price = new Money(1999n, 'EUR')
    const value = { price, again: price, history: new Map([[new Date(5), price]]) }
    expect(serializer.check!(value)).toBeUndefined()
    const back = roundTrip(value, serializer) as typeof value
    expect(back.price).toBeInstanceOf(Money)
    expect(back.price).toEqual(price)
    expect(back.again).toBe(back.price)
    expect([...back.history.values()][0]).toBe(back.price)
  })

  it('a reducer result that is falsy still counts (0, empty string)', () => {
    const zero = createRichSerializer({
      types: { Zero: { is: (v): v is Money => v instanceof Money, reduce: () => 0, revive: () => new Money(0n, '') } },
    })
    expect(roundTrip(new Money(0n, ''), zero)).toBeInstanceOf(Money)
  })

  it('the default serializer still refuses the class', () => {
    expect(richSerializer.check!(new Money(1n, 'EUR'))).toMatch(/Money instance/)
  })

  it('refuses at set time a cycle through a registered type, which could not be revived', () => {
    class Node {
      constructor(
        public label: string,
        public next: Node | null = null,
      ) {}
    }
    const nodes = createRichSerializer({
      types: {
        Node: {
          is: (v): v is Node => v instanceof Node,
          reduce: (n: Node) => [n.label, n.next],
          revive: (parts: [string, Node | null]) => {
            if (typeof parts?.[0] !== 'string') throw new TypeError('incomplete Node')
            return new Node(parts[0], parts[1])
          },
        },
      },
    })
    const a = new Node('a')
    a.next = new Node('b', a)
    expect(nodes.check!({ list: a })).toMatch(/list is not storable|does not revive/)
    expect(nodes.check!({ list: new Node('a', new Node('b')) })).toBeUndefined()
  })

  for (const [label, types] of [
    ['a built-in name', { Date: moneyType }],
    ['a name with a quote', { 'Mo"ney': moneyType }],
    ['an empty name', { '': moneyType }],
    ['a type without revive', { Money: { is: moneyType.is, reduce: moneyType.reduce } }],
  ] as const) {
    it(`refuses ${label} with SessionError('CONFIG')`, () => {
      let error: unknown
      try {
        createRichSerializer({ types: types as never })
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG')).toBe(true)
    })
  }
})
