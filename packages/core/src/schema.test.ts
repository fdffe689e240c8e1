import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isSessionError } from './errors.js'
import { checkData, checkKey, issuePaths, resolveSchema, validateLoaded } from './schema.js'
import type { StandardSchemaV1 } from './standard-schema.js'

const refusal = async (result: unknown): Promise<Error> => {
  const error = await new Promise((resolve) => resolve(typeof result === 'function' ? result() : result)).then(
    () => null,
    (e: unknown) => e,
  )
  expect(isSessionError(error, 'DATA')).toBe(true)
  return error as Error
}

/** A hand-written Standard Schema whose validation is async and exposes no shape. */
const asyncSchema: StandardSchemaV1<Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: async (value) => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      const data = value as Record<string, unknown>
      return typeof data.count === 'number' || data.count === undefined ? { value: data } : { issues: [{ message: 'no', path: ['count'] }] }
    },
  },
}

const libraries = {
  zod: {
    schema: z.object({
      user: z.object({ name: z.string(), roles: z.array(z.string()) }).optional(),
      count: z.number().int().optional(),
      email: z.string().trim().toLowerCase().optional(),
      lastVisit: z.date().optional(),
    }),
  },
  valibot: {
    schema: v.object({
      user: v.optional(v.object({ name: v.string(), roles: v.array(v.string()) })),
      count: v.optional(v.pipe(v.number(), v.integer())),
      email: v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase())),
      lastVisit: v.optional(v.date()),
    }),
  },
}

for (const [library, { schema }] of Object.entries(libraries)) {
  describe(`schema helpers with ${library}`, () => {
    const resolved = resolveSchema(schema)

    it('exposes one schema per key', () => {
      expect([...resolved.keys!.keys()]).toEqual(['user', 'count', 'email', 'lastVisit'])
      expect(resolved.onInvalid).toBe('reset')
    })

    it('checks one key against its own schema and returns the output (transforms applied)', async () => {
      expect(await checkKey(resolved, 'count', 3, new Map())).toEqual({ value: 3, unchecked: false })
      expect(await checkKey(resolved, 'email', '  Ada@Example.ORG ', new Map())).toEqual({ value: 'ada@example.org', unchecked: false })
      const when = new Date(5)
      expect((await checkKey(resolved, 'lastVisit', when, new Map())).value).toEqual(when)
    })

    it('refuses a bad value naming the key and the path, never the value', async () => {
      const error = await refusal(() => checkKey(resolved, 'user', { name: 'secret-value-42', roles: [7] }, new Map()))
      expect(error.message).toContain('"user"')
      expect(error.message).toContain('user.roles[0]')
      expect(error.message).not.toContain('secret-value-42')
      expect(error.message).not.toContain('7')
    })

    it('a key the schema does not know is refused at once: the schema would drop it', async () => {
      const error = await refusal(() => checkKey(resolved, 'other', 1, new Map([['count', 1]])))
      expect(error.message).toMatch(/"other" is not in the schema/)
    })

    it('validates loaded data: output on success, issue paths only on failure', async () => {
      expect(await validateLoaded(resolved, new Map<string, unknown>([['count', 2]]))).toEqual({ ok: true, data: new Map([['count', 2]]) })
      const bad = await validateLoaded(
        resolved,
        new Map<string, unknown>([
          ['count', 'two'],
          ['user', { name: 'x', roles: 'admin' }],
        ]),
      )
      expect(bad).toEqual({ ok: false, paths: expect.arrayContaining(['count', 'user.roles']) })
      expect(JSON.stringify(bad)).not.toContain('admin')
    })

    it('loaded keys the schema does not know are dropped (the schema strips them)', async () => {
      const result = await validateLoaded(
        resolved,
        new Map<string, unknown>([
          ['count', 1],
          ['legacy', true],
        ]),
      )
      expect(result).toEqual({ ok: true, data: new Map([['count', 1]]) })
    })

    it('checks the whole data before a save and refuses keys it would drop', async () => {
      expect(await checkData(resolved, new Map<string, unknown>([['email', ' A@B.C ']]))).toEqual(new Map([['email', 'a@b.c']]))
      expect((await refusal(checkData(resolved, new Map<string, unknown>([['count', 1.5]])))).message).toContain('at count')
      expect((await refusal(checkData(resolved, new Map<string, unknown>([['extra', 1]])))).message).toContain('"extra"')
    })
  })
}

describe('schema helpers without per-key schemas', () => {
  it('a refined zod object or a piped valibot object is checked whole (the refinement spans keys)', () => {
    const refined = z.object({ a: z.number(), b: z.number() }).refine((d) => d.a < d.b)
    expect(resolveSchema(refined).keys).toBeNull()
    const piped = v.pipe(
      v.object({ a: v.number(), b: v.number() }),
      v.check((d) => d.a < d.b),
    )
    expect(resolveSchema(piped).keys).toBeNull()
  })

  it('a key is checked within the whole data and flagged for the check before the save', async () => {
    const refined = resolveSchema(z.object({ a: z.number().optional(), b: z.number().optional() }).refine((d) => (d.a ?? 0) <= (d.b ?? 0)))
    expect(await checkKey(refined, 'a', 1, new Map([['b', 2]]))).toEqual({ value: 1, unchecked: true })
    // The refinement fails on the whole data, not on this key: the commit judges it.
    expect(await checkKey(refined, 'a', 3, new Map([['b', 2]]))).toEqual({ value: 3, unchecked: true })
    await refusal(
      checkData(
        refined,
        new Map([
          ['a', 3],
          ['b', 2],
        ]),
      ),
    )
    await refusal(() => checkKey(refined, 'a', 'x', new Map()))
  })

  it('checks a key synchronously when the validator is synchronous (modify stays atomic)', () => {
    const resolved = resolveSchema(z.object({ count: z.number() }))
    expect(checkKey(resolved, 'count', 1, new Map())).toEqual({ value: 1, unchecked: false })
    expect(checkKey(resolveSchema(asyncSchema), 'count', 1, new Map())).toBeInstanceOf(Promise)
  })

  it('supports async validators', async () => {
    const resolved = resolveSchema(asyncSchema)
    expect(resolved.keys).toBeNull()
    expect(await validateLoaded(resolved, new Map([['count', 1]]))).toEqual({ ok: true, data: new Map([['count', 1]]) })
    expect(await validateLoaded(resolved, new Map([['count', 'x']]))).toEqual({ ok: false, paths: ['count'] })
    await refusal(() => checkKey(resolved, 'count', 'x', new Map()))
    await refusal(checkData(resolved, new Map([['count', 'x']])))
  })

  it('a validator that throws or rejects becomes SessionError(DATA) with the cause kept', async () => {
    const cause = new Error('boom')
    for (const validate of [
      () => {
        throw cause
      },
      async () => {
        throw cause
      },
    ]) {
      const resolved = resolveSchema({ '~standard': { version: 1, vendor: 'x', validate } })
      const error = await refusal(checkData(resolved, new Map()))
      expect(error.cause).toBe(cause)
    }
  })

  it('bad options are refused with SessionError(CONFIG)', () => {
    for (const [schema, onInvalid] of [
      [{}, 'reset'],
      [{ '~standard': { version: 2, validate: () => ({ value: 1 }) } }, 'reset'],
      [z.object({}), 'ignore'],
    ] as const) {
      let error: unknown
      try {
        resolveSchema(schema, onInvalid)
      } catch (e) {
        error = e
      }
      expect(isSessionError(error, 'CONFIG')).toBe(true)
    }
  })

  it('formats issue paths without values', () => {
    expect(
      issuePaths([
        { message: 'm', path: ['user', { key: 'roles' }, 0] },
        { message: 'm', path: ['odd key', 'x'] },
        { message: 'm' },
        { message: 'again', path: ['user', 'roles', 0] },
      ]),
    ).toEqual(['user.roles[0]', '["odd key"].x', '(root)'])
  })
})
