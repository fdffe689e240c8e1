import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeJsonPayload, encodeJsonPayload, MAX_FAST_CHARS } from './json-payload.js'
import { decodePayload, encodePayload, type Payload } from './payload.js'
import { jsonSerializer, type SessionSerializer } from './serializer.js'

/** JSON through other functions than the default serializer's: the general codec, which the hand-written one must equal. */
const general: SessionSerializer = { name: 'json', stringify: (value) => JSON.stringify(value), parse: (text) => JSON.parse(text) }

/** What a decode gave, with -0 told apart from 0 and the map's order kept, or the error's message. */
function outcome(serializer: SessionSerializer, text: string): unknown {
  try {
    const { data, ...rest } = decodePayload(serializer, text)
    return { data: [...data].map(([key, value]) => [key, Object.is(value, -0) ? '-0' : value]), ...rest }
  } catch (error) {
    return { threw: (error as Error).constructor.name }
  }
}

const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'count', '1', '01', 'a"b', 'x\\y', '\u2028', '\ud800', '\udc00', '😀'),
)
const primitive = fc.oneof(
  fc.string({ maxLength: 8, unit: 'grapheme' }),
  fc.string({ maxLength: 8, unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.constantFrom('\ud800', '\udfff', 'a\udc00b', '😀', '\u007f', '\u001f'),
  fc.constantFrom(0, -0, 2 ** 53, 123456789012345, 1234567890123456, 1e21, 1.5e-7, Number.MAX_VALUE),
  fc.boolean(),
  fc.constant(null),
)
const value = fc.oneof(primitive, fc.array(primitive, { maxLength: 2 }), fc.dictionary(key, primitive, { maxKeys: 2 }))
const payload: fc.Arbitrary<Payload> = fc.record({
  data: fc.array(fc.tuple(key, fc.oneof({ weight: 4, arbitrary: primitive }, value)), { maxLength: 6 }).map((pairs) => new Map(pairs)),
  created: fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.double()),
  expiry: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom('2030-01-01T00:00:00.000Z', 'browser', 'x"y')),
  user: fc.oneof(
    fc.constant(null),
    fc.record({
      id: fc.oneof(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom('ada', 'a"b')),
      metadata: fc.constantFrom({}, { ip: '1' }),
    }),
  ),
  saved: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 ** 42 })),
})

describe('the hand-written JSON payload codec', () => {
  it('encodes every payload to the text JSON.stringify gives', () => {
    fc.assert(
      fc.property(payload, (p) => {
        expect(encodePayload(jsonSerializer, p)).toBe(encodePayload(general, p))
      }),
      { numRuns: 3000 },
    )
  })

  it('decodes every encoded payload as JSON.parse does, data order and -0 included', () => {
    fc.assert(
      fc.property(payload, (p) => {
        const text = encodePayload(general, p)
        expect(outcome(jsonSerializer, text)).toEqual(outcome(general, text))
      }),
      { numRuns: 3000 },
    )
  })

  it('decodes damaged and foreign texts as JSON.parse does: the same payload, or a throw', () => {
    const damaged = fc
      .tuple(payload, fc.nat(), fc.constantFrom('', ' ', '}', '{', ',', '"', '\\', '0', '-', '.', 'e', 'x', ':1', '"u":null'))
      .map(([p, at, insert]) => {
        const text = encodePayload(general, p)
        const i = at % (text.length + 1)
        return text.slice(0, i) + insert + text.slice(i + (insert === '' ? 1 : 0))
      })
    const handMade = fc.constantFrom(
      '{"d":{},"c":1}',
      '{"d":{},"c":1,"c":2}',
      '{"d":{"a":1,"a":2,"b":3},"c":1}',
      '{"d":{"b":1,"1":2},"c":1}',
      '{"d":{"n":-0,"m":0,"f":1.5e3,"g":-12E-2,"h":12345678901234567890},"c":5}',
      '{"d":{"n":01},"c":5}',
      '{"d":{"n":1.},"c":5}',
      '{"d":{"n":-},"c":5}',
      '{"d":{"n":1e},"c":5}',
      '{"d":{"t":true,"f":false,"z":null,"s":""},"c":5}',
      '{"d":{"t":tru},"c":5}',
      '{"d":{},"c":1e999}',
      '{"d":{},"c":"1"}',
      '{"d":{},"c":1,"e":true}',
      '{"d":{},"c":1,"e":"not a date"}',
      '{"d":{},"c":1,"e":"2030-01-01T00:00:00.000Z"}',
      '{"d":{},"c":1,"e":null}',
      '{"d":{},"c":1,"u":""}',
      '{"d":{},"c":1,"u":"ada","s":"9"}',
      '{"d":{},"c":1,"u":"ada","s":9}',
      '{"d":{},"c":1,"s":9}',
      '{"d":{},"c":1,"x":9}',
      '{"d":{},"c":1} ',
      '{"d":{},"c":1}}',
      '{"d":{"__proto__":1},"c":1}',
      '{"d":{"a":"\u0001"},"c":1}',
      '{"d":{"a":"é\ud800"},"c":1}',
      '{"d":[],"c":1}',
      '{"d":{}}',
    )
    fc.assert(
      fc.property(fc.oneof(damaged, handMade), (text) => {
        expect(outcome(jsonSerializer, text)).toEqual(outcome(general, text))
      }),
      { numRuns: 5000 },
    )
  })

  it('takes the hand-written path for the common payload, and leaves the rest to JSON', () => {
    const common: Payload = {
      data: new Map<string, unknown>([
        ['count', 3],
        ['name', 'Ada'],
        ['ok', true],
        ['none', null],
      ]),
      created: 1_700_000_000_000,
      expiry: 3600,
      user: { id: 'ada', metadata: {} },
      saved: 1_700_000_000_500,
    }
    const text = encodeJsonPayload(common)
    expect(text).toBe('{"d":{"count":3,"name":"Ada","ok":true,"none":null},"c":1700000000000,"e":3600,"u":"ada","s":1700000000500}')
    expect(decodeJsonPayload(text!)).toEqual({ ...common })
    expect(encodeJsonPayload({ ...common, data: new Map([['cart', [1, 2]]]) })).toBeUndefined()
    expect(encodeJsonPayload({ ...common, data: new Map([['1', 'a']]) })).toBeUndefined()
    expect(encodeJsonPayload({ ...common, user: { id: 'ada', metadata: { ip: '1' } } })).toBeUndefined()
    expect(encodeJsonPayload({ ...common, data: new Map([['big', 'x'.repeat(MAX_FAST_CHARS)]]) })).toBeUndefined()
    expect(decodeJsonPayload('{"d":{"cart":[1,2]},"c":1}')).toBeUndefined()
    expect(decodeJsonPayload('{ "d":{},"c":1}')).toBeUndefined()
    expect(decodeJsonPayload(`{"d":{"big":"${'x'.repeat(MAX_FAST_CHARS)}"},"c":1}`)).toBeUndefined()
  })

  it('is taken for the default serializer and any serializer built on its functions, never for another', () => {
    const text = '{"d":{"a":1},"c":1}'
    let parses = 0
    const counting: SessionSerializer = {
      ...general,
      parse: (t) => {
        parses++
        return JSON.parse(t)
      },
    }
    decodePayload(counting, text)
    expect(parses).toBe(1)
    const spread = { ...jsonSerializer, name: 'mine' }
    expect(decodePayload(spread, text).data.get('a')).toBe(1)
  })
})
