import { describe, expect, it } from 'vitest'
import { encodePayload } from './payload.js'
import { peekPayload } from './payload-peek.js'
import { createRichSerializer, richSerializer } from './rich-serializer.js'
import { jsonSerializer } from './serializer.js'

const data = new Map<string, unknown>([
  ['cart', ['book']],
  ['n', 5],
])
const user = { id: 'Zoë 🐍 {tag}', metadata: { ip: '1' } }

describe('peekPayload', () => {
  for (const [name, serializer] of [
    ['json', jsonSerializer],
    ['rich', richSerializer],
    ['rich with a type', createRichSerializer({ types: { Money: { is: (v): v is object => false, reduce: (v) => v, revive: (v) => v } } })],
  ] as const) {
    it(`reads the user and creation time of a ${name} payload, signed in or not`, () => {
      expect(peekPayload(encodePayload(serializer, { data, created: 5, expiry: 60, user, saved: 5 }))).toEqual({
        userId: user.id,
        created: new Date(5),
      })
      expect(peekPayload(encodePayload(serializer, { data, created: 7, expiry: null }))).toEqual({ userId: null, created: new Date(7) })
    })
  }

  it('reads a rich payload whose data holds values devalue cannot parse without their reviver', () => {
    const withBigInt = encodePayload(richSerializer, { data: new Map([['big', 10n]]), created: 9, expiry: null, user, saved: 9 })
    expect(peekPayload(withBigInt)).toEqual({ userId: user.id, created: new Date(9) })
  })

  it('is null for anything else, never a throw', () => {
    for (const text of [
      '',
      'not json',
      '[]',
      '[1]',
      '{}',
      '{"c":"5"}',
      '{"d":{},"c":1,"u":""}',
      '{"d":{},"c":1,"u":"a\\u0000"}',
      '[{"c":5},1]',
      '[{"c":-1}]',
      'null',
      '42',
    ]) {
      expect(peekPayload(text), text).toBeNull()
    }
  })
})
