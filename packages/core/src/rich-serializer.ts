import { parse, stringify } from 'devalue'
import { SessionError } from './errors.js'
import { MAX_RICH_DEPTH, richDepthProblem } from './rich-depth.js'
import type { SessionSerializer } from './serializer.js'

/**
 * How {@link createRichSerializer} stores instances of one app class, e.g. a `Money`.
 * `reduce` turns an instance into storable parts (anything the rich serializer stores, other registered
 * types included); `revive` builds the instance back from them.
 *
 * @typeParam T - the class's instance type.
 * @typeParam Stored - what `reduce` returns and `revive` receives.
 */
export interface RichType<T = unknown, Stored = unknown> {
  /** Whether `value` is one of these (usually `value instanceof Money`). */
  is(value: unknown): value is T
  /** The instance as storable parts. */
  reduce(value: T): Stored
  /** The instance back from `reduce`'s parts. */
  revive(stored: Stored): T
}

/** Options of {@link createRichSerializer}. */
export interface RichSerializerOptions {
  /**
   * App classes to store, by a stable name written into the payload (letters, digits, `_`, `$`, `.`; not a
   * built-in name such as `Date`). Renaming one makes stored sessions of that type unreadable (they read as empty).
   */
  types?: Record<string, RichType>
}

/** Built-in type names of the payload format; an app type may not take one. */
const RESERVED = new Set([
  'Date',
  'Set',
  'Map',
  'RegExp',
  'Object',
  'BigInt',
  'null',
  'ArrayBuffer',
  'DataView',
  'URL',
  'URLSearchParams',
  ...['Int8', 'Uint8', 'Uint8Clamped', 'Int16', 'Uint16', 'Float16', 'Int32', 'Uint32', 'Float32', 'Float64', 'BigInt64', 'BigUint64'].map(
    (t) => `${t}Array`,
  ),
])
const TYPE_NAME = /^[A-Za-z_$][\w$.]{0,63}$/
/** The reducer that keeps objects with an own `__proto__` key as data (devalue alone refuses them). */
const PROTO_KEYED = '~sess.protoKeyed'

/**
 * A serializer for the values apps really keep: `Date`, `Map`, `Set`, `BigInt`, `undefined`, `NaN`,
 * `±Infinity`, `-0`, `RegExp`, typed arrays, `ArrayBuffer`, `URL`, `URLSearchParams`, null-prototype objects,
 * repeated and cyclic references — and app classes registered with a {@link RichType}. Built on devalue: the
 * payload is JSON text (never evaluated), keys such as `__proto__` stay data, and payloads nested more than
 * {@link MAX_RICH_DEPTH} levels are refused before they are revived. Any other class instance is refused at
 * `set` time with a `SessionError('DATA')` naming the key, the path and the class.
 *
 * @example
 * ```ts
 * import { createSessions } from '@sess/core'
 * import { createRichSerializer } from '@sess/core/rich'
 * const serializer = createRichSerializer({
 *   types: { Money: { is: (v): v is Money => v instanceof Money, reduce: (m) => [m.cents, m.currency], revive: ([c, cur]) => new Money(c, cur) } },
 * })
 * const sessions = createSessions({ engine, serializer })
 * ```
 */
export function createRichSerializer(options: RichSerializerOptions = {}): SessionSerializer {
  // Set when a custom reducer matched during `check`: such values are parsed back once to prove they revive
  // (devalue cannot revive a cycle that runs through a custom type).
  const used = { custom: false }
  const reducers: Record<string, (value: unknown) => unknown> = {
    [PROTO_KEYED]: (value) => {
      const reduced = reduceProtoKeyed(value)
      if (reduced !== undefined) used.custom = true
      return reduced
    },
  }
  const revivers: Record<string, (value: unknown) => unknown> = { [PROTO_KEYED]: reviveProtoKeyed }
  const types = options.types ?? {}
  if (typeof types !== 'object' || types === null) throw new SessionError('CONFIG', 'core', 'the rich serializer’s types must be an object')
  for (const [name, type] of Object.entries(types)) {
    if (!TYPE_NAME.test(name) || RESERVED.has(name))
      throw new SessionError(
        'CONFIG',
        'core',
        `the rich type name ${JSON.stringify(name)} is not allowed (a built-in name, or not [A-Za-z_$][\\w$.]*)`,
      )
    if (typeof type?.is !== 'function' || typeof type.reduce !== 'function' || typeof type.revive !== 'function')
      throw new SessionError('CONFIG', 'core', `the rich type ${name} needs is, reduce and revive functions`)
    // Wrapped in a one-element array: devalue reads a falsy reducer result as "not this type".
    reducers[name] = (value) => {
      if (!type.is(value)) return undefined
      used.custom = true
      return [type.reduce(value)]
    }
    revivers[name] = (wrapped) => type.revive((wrapped as unknown[])[0])
  }
  return {
    name: 'rich',
    stringify: (value) => stringify(value, reducers),
    parse(text) {
      const problem = richDepthProblem(text, MAX_RICH_DEPTH + ENVELOPE_DEPTH)
      if (problem !== undefined) throw new TypeError(problem)
      return parse(text, revivers)
    },
    check(value) {
      used.custom = false
      let text: string
      try {
        text = stringify(value, reducers)
      } catch (error) {
        return describeRefusal(error)
      }
      const problem = richDepthProblem(text, MAX_RICH_DEPTH)
      if (problem !== undefined || !used.custom) return problem
      try {
        parse(text, revivers)
        return undefined
      } catch (error) {
        return `it does not revive (${error instanceof Error ? error.message : String(error)}; a cycle through a registered type cannot be stored)`
      }
    },
  }
}

/** The default {@link createRichSerializer}: built-in types only. */
export const richSerializer: SessionSerializer = /* @__PURE__ */ createRichSerializer()

/** Core wraps each value in its payload envelope (`{ d: { key: value } }`): two levels above the value. */
const ENVELOPE_DEPTH = 2

function describeRefusal(error: unknown): string {
  if (error instanceof RangeError) return `it is nested too deeply (more than ${MAX_RICH_DEPTH} levels)`
  if (!(error instanceof Error) || error.name !== 'DevalueError') return error instanceof Error ? error.message : String(error)
  const { path, value } = error as Error & { path: string; value: unknown }
  const where = path ? `${path.replace(/^\./, '')} is ` : 'it is '
  if (typeof value === 'function') return `${where}a function`
  if (typeof value === 'symbol') return `${where}a symbol`
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value)
    const kind = (proto?.constructor?.name as string | undefined) || 'object'
    if (error.message.includes('non-POJO'))
      return `${where}a ${kind} instance, which the rich serializer does not know (register it: createRichSerializer({ types: { ${kind}: { is, reduce, revive } } }))`
    if (error.message.includes('symbolic keys')) return `${where}an object with symbol keys`
  }
  return `${where}not storable (${error.message})`
}

function reduceProtoKeyed(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, '__proto__')) return undefined
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return undefined
  const entries: unknown[] = [proto === null]
  for (const key of Object.keys(value)) entries.push(key, (value as Record<string, unknown>)[key])
  return entries
}

function reviveProtoKeyed(entries: unknown): object {
  if (!Array.isArray(entries) || entries.length % 2 !== 1) throw new TypeError('malformed object with a __proto__ key')
  const object: Record<string, unknown> = entries[0] === true ? Object.create(null) : {}
  for (let i = 1; i < entries.length; i += 2) {
    const key = entries[i]
    if (typeof key !== 'string') throw new TypeError('malformed object with a __proto__ key')
    // defineProperty, never assignment: `__proto__` becomes an own data property, the prototype is untouched.
    Object.defineProperty(object, key, { value: entries[i + 1], writable: true, enumerable: true, configurable: true })
  }
  return object
}
