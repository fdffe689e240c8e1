import * as v from 'valibot'
import { describe, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import type { SessionEngine } from './engine.js'
import type { Session } from './session.js'
import { createSessions, type Sessions } from './sessions.js'

declare const engine: SessionEngine

describe('Data inferred from a schema', () => {
  it('zod 4: keys and value types come from the schema', () => {
    const sessions = createSessions({
      engine,
      schema: z.object({ user: z.string().optional(), count: z.number().optional(), lastVisit: z.date().optional() }),
    })
    expectTypeOf(sessions).toEqualTypeOf<
      Sessions<{ user?: string | undefined; count?: number | undefined; lastVisit?: Date | undefined }>
    >()
    const session = sessions.load(undefined)
    expectTypeOf(session.get('lastVisit')).resolves.toEqualTypeOf<Date | undefined>()
    expectTypeOf(session.get('count', 0)).resolves.toEqualTypeOf<number>()
    void session.set('lastVisit', new Date())
    void session.modify('count', (n) => (n ?? 0) + 1)
    // @ts-expect-error: not a key of the schema
    void session.get('nope')
    // @ts-expect-error: a string is not a Date
    void session.set('lastVisit', '2026-01-01')
    // @ts-expect-error: count is a number
    void session.update({ count: 'one' })
  })

  it('valibot 1: keys and value types come from the schema', () => {
    const sessions = createSessions({
      engine,
      schema: v.object({ user: v.optional(v.object({ name: v.string() })), seen: v.optional(v.set(v.string())) }),
    })
    const session = sessions.load(undefined)
    expectTypeOf(session.get('user')).resolves.toEqualTypeOf<{ name: string } | undefined>()
    expectTypeOf(session.get('seen')).resolves.toEqualTypeOf<Set<string> | undefined>()
    // @ts-expect-error: not a key of the schema
    void session.set('other', 1)
    // @ts-expect-error: name must be a string
    void session.set('user', { name: 1 })
  })

  it('the output type is Data when a transform changes it', () => {
    const sessions = createSessions({ engine, schema: z.object({ email: z.string().trim().toLowerCase().optional() }) })
    expectTypeOf(sessions.load(undefined)).toEqualTypeOf<Session<{ email?: string | undefined }>>()
  })

  it('an explicit Data type without a schema still works, and a schema for non-object data does not compile', () => {
    expectTypeOf(createSessions<{ user?: string }>({ engine })).toEqualTypeOf<Sessions<{ user?: string }>>()
    expectTypeOf(createSessions({ engine })).toEqualTypeOf<Sessions<Record<string, unknown>>>()
    // @ts-expect-error: session data is an object of keys
    createSessions({ engine, schema: z.string() })
    // @ts-expect-error: onInvalid is 'reset' or 'error'
    createSessions({ engine, schema: z.object({}), onInvalid: 'ignore' })
  })
})
