import { SessionError } from './errors.js'
import type { StandardSchemaIssue, StandardSchemaResult, StandardSchemaV1 } from './standard-schema.js'

/** What happens to stored data that fails the schema when it is loaded. */
export type OnInvalid = 'reset' | 'error'

/** A schema checked once at start-up, with its per-key schemas when the validator exposes them. @internal */
export interface SessionSchema {
  readonly whole: StandardSchemaV1
  /** One schema per data key (zod's `shape`, valibot's `entries`), or `null`: then only the whole data is checked. */
  readonly keys: ReadonlyMap<string, StandardSchemaV1> | null
  readonly onInvalid: OnInvalid
}

/** The outcome of {@link validateLoaded}. @internal */
export type LoadedCheck = { ok: true; data: Map<string, unknown> } | { ok: false; paths: string[] }

/** The outcome of {@link checkKey}: the value to store (the schema's output) and whether the whole data must still be checked. @internal */
export interface KeyCheck {
  value: unknown
  /** The key has no schema of its own: the whole data is checked before the next save. */
  unchecked: boolean
}

/** Checks `schema` and `onInvalid` once, at start-up: anything wrong → `SessionError('CONFIG')`. @internal */
export function resolveSchema(schema: unknown, onInvalid: unknown = 'reset'): SessionSchema {
  if (!isStandardSchema(schema))
    throw new SessionError('CONFIG', 'core', 'schema must be a Standard Schema v1 validator (zod 4, valibot 1, arktype 2, …)')
  if (onInvalid !== 'reset' && onInvalid !== 'error')
    throw new SessionError('CONFIG', 'core', `onInvalid must be 'reset' or 'error', not ${JSON.stringify(onInvalid)}`)
  return { whole: schema, keys: keySchemas(schema), onInvalid }
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false
  const props = (value as Partial<StandardSchemaV1>)['~standard']
  return typeof props === 'object' && props !== null && props.version === 1 && typeof props.validate === 'function'
}

/**
 * The per-key schemas of an object schema: zod's `shape` or valibot's `entries`, when every entry is itself a
 * Standard Schema and the object has no checks of its own (a refinement across keys needs the whole data).
 */
function keySchemas(schema: StandardSchemaV1): ReadonlyMap<string, StandardSchemaV1> | null {
  const s = schema as {
    shape?: unknown
    entries?: unknown
    pipe?: unknown[]
    _zod?: { def?: { checks?: unknown[] } }
  }
  const vendor = schema['~standard'].vendor
  let entries: unknown
  if (vendor === 'zod') {
    if ((s._zod?.def?.checks?.length ?? 0) > 0) return null
    entries = s.shape
  } else if (vendor === 'valibot') {
    if (Array.isArray(s.pipe) && s.pipe.length > 1) return null
    entries = s.entries
  } else return null
  if (typeof entries !== 'object' || entries === null) return null
  const keys = new Map<string, StandardSchemaV1>()
  for (const [key, entry] of Object.entries(entries)) {
    if (!isStandardSchema(entry)) return null
    keys.set(key, entry)
  }
  return keys
}

/** Validates data read from the store: the schema's output, or the paths of the issues (never the values). @internal */
export function validateLoaded(schema: SessionSchema, data: Map<string, unknown>): LoadedCheck | Promise<LoadedCheck> {
  return then(runSync(schema.whole, Object.fromEntries(data)), (result): LoadedCheck => {
    if (result.issues) return { ok: false, paths: issuePaths(result.issues) }
    const output = result.value
    if (typeof output !== 'object' || output === null || Array.isArray(output)) return { ok: false, paths: ['(root)'] }
    return { ok: true, data: new Map(Object.entries(output)) }
  })
}

/**
 * Checks the value about to be stored under `key` against that key's schema and returns its output. A key
 * without a schema of its own is checked within the whole data (`data` with the new value) and flagged for
 * the whole check before the save. Failure → `SessionError('DATA')` naming the key and the paths.
 * Synchronous when the validator is (so `modify` stays atomic), a promise when it is async.
 * @internal
 */
export function checkKey(
  schema: SessionSchema,
  key: string,
  value: unknown,
  data: ReadonlyMap<string, unknown>,
): KeyCheck | Promise<KeyCheck> {
  const own = schema.keys?.get(key)
  if (own !== undefined) {
    return then(runSync(own, value), (result) => {
      if (result.issues) throw refusal(`session key ${JSON.stringify(key)}`, issuePaths(result.issues, key))
      return { value: result.value, unchecked: false }
    })
  }
  const whole = Object.fromEntries(data)
  Object.defineProperty(whole, key, { value, writable: true, enumerable: true, configurable: true })
  return then(runSync(schema.whole, whole), (result) => {
    if (result.issues) {
      // Only this key's issues count here: others (a required key not set yet) are the save's to judge.
      const paths = issuePaths(result.issues).filter((path) => path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`))
      if (paths.length > 0) throw refusal(`session key ${JSON.stringify(key)}`, paths)
      return { value, unchecked: true }
    }
    const output = result.value as Record<string, unknown> | null
    if (typeof output !== 'object' || output === null || !Object.hasOwn(output, key)) throw notInSchema(key)
    return { value: output[key], unchecked: true }
  })
}

/**
 * Checks the whole data before it is saved and returns the schema's output. Keys the schema would drop are
 * refused rather than lost silently. Failure → `SessionError('DATA')` naming the paths; nothing is saved.
 * @internal
 */
export async function checkData(schema: SessionSchema, data: ReadonlyMap<string, unknown>): Promise<Map<string, unknown>> {
  const result = await run(schema.whole, Object.fromEntries(data))
  if (result.issues) throw refusal('the session data', issuePaths(result.issues))
  const output = result.value
  if (typeof output !== 'object' || output === null || Array.isArray(output)) throw refusal('the session data', ['(root)'])
  for (const key of data.keys()) if (!Object.hasOwn(output, key)) throw notInSchema(key)
  return new Map(Object.entries(output))
}

async function run(schema: StandardSchemaV1, value: unknown): Promise<StandardSchemaResult<unknown>> {
  return runSync(schema, value)
}

/** The validator's result, synchronous when the validator is; a throw or rejection becomes `SessionError('DATA')`. */
function runSync(schema: StandardSchemaV1, value: unknown): StandardSchemaResult<unknown> | Promise<StandardSchemaResult<unknown>> {
  let result: StandardSchemaResult<unknown> | Promise<StandardSchemaResult<unknown>>
  try {
    result = schema['~standard'].validate(value)
  } catch (error) {
    throw threw(error)
  }
  return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(threw(error))) : result
}

function threw(cause: unknown): SessionError {
  return new SessionError('DATA', 'core', 'the schema threw while validating session data', { cause })
}

/** `f(value)`, now when `value` is not a promise. */
function then<T, U>(value: T | Promise<T>, f: (value: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value)
}

function refusal(what: string, paths: string[]): SessionError {
  return new SessionError('DATA', 'core', `${what} does not match the schema at ${paths.join(', ')}`)
}

function notInSchema(key: string): SessionError {
  return new SessionError(
    'DATA',
    'core',
    `session key ${JSON.stringify(key)} is not in the schema, which would drop it: add it to the schema`,
  )
}

/** The issues' paths as `user.name` / `items[0]` text, de-duplicated; values are never included. @internal */
export function issuePaths(issues: ReadonlyArray<StandardSchemaIssue>, prefix?: string): string[] {
  const paths = new Set<string>()
  for (const issue of issues) {
    let path = prefix ?? ''
    for (const segment of issue.path ?? []) {
      const key = typeof segment === 'object' && segment !== null ? segment.key : segment
      if (typeof key === 'number') path += `[${key}]`
      else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) path += path ? `.${key}` : key
      else path += `[${JSON.stringify(String(key))}]`
    }
    paths.add(path || '(root)')
  }
  return [...paths]
}
