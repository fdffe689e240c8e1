import { describe, expectTypeOf, it } from 'vitest'
import type { Session } from './session.js'

type Data = { user?: string; count: number }

describe('Session typing', () => {
  it('types get, get with a fallback, pop and set by the Data type', () => {
    const session = {} as Session<Data>
    expectTypeOf(session.get('user')).resolves.toEqualTypeOf<string | undefined>()
    expectTypeOf(session.get('user', 'anonymous')).resolves.toEqualTypeOf<string>()
    expectTypeOf(session.pop('count', 0)).resolves.toEqualTypeOf<number>()
    expectTypeOf(session.set<'count'>)
      .parameter(1)
      .toEqualTypeOf<number>()
    // @ts-expect-error: not a key of Data
    void session.get('nope')
    // @ts-expect-error: wrong value type
    void session.set('count', 'one')
  })
})
