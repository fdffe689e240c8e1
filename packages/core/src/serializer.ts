/**
 * Turns session data into text and back. The default is JSON, strict like Django's JSONSerializer:
 * a value that would not come back the same is refused when it is set.
 */
export interface SessionSerializer {
  /** Short name for messages, e.g. `json`. */
  readonly name: string
  /** Text for a value made of storable parts. */
  stringify(value: unknown): string
  /** The value back from `stringify`'s text. May throw on corrupt text (core treats it as an empty session). */
  parse(text: string): unknown
  /**
   * Returns why `value` cannot round-trip (e.g. `"a function"`), or `undefined` when it can.
   * Without it, core only checks that `stringify` does not throw.
   */
  check?(value: unknown): string | undefined
}

/** `JSON.stringify` as the default serializer calls it: core's payload codec takes its hand-written path for this function. */
export const jsonStringify = (value: unknown): string => JSON.stringify(value)
/** `JSON.parse` as the default serializer calls it: core's payload codec takes its hand-written path for this function. */
export const jsonParse = (text: string): unknown => JSON.parse(text)

/** The default serializer: JSON, refusing undefined, functions, symbols, BigInt, non-finite numbers, cycles and class instances such as Date. */
export const jsonSerializer: SessionSerializer = {
  name: 'json',
  stringify: jsonStringify,
  parse: jsonParse,
  check: (value) => checkJson(value, '', null),
}

function checkJson(value: unknown, path: string, seen: Set<object> | null): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined
    case 'number':
      return Number.isFinite(value) ? undefined : `${at(path)}a non-finite number (${value}) that JSON turns into null`
    case 'undefined':
      return `${at(path)}undefined, which JSON drops`
    case 'function':
      return `${at(path)}a function`
    case 'symbol':
      return `${at(path)}a symbol`
    case 'bigint':
      return `${at(path)}a BigInt, which JSON cannot store`
  }
  if (value === null) return undefined
  const object = value as object
  const ancestors = seen ?? new Set<object>()
  if (ancestors.has(object)) return `${at(path)}a cyclic reference`
  ancestors.add(object)
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const problem = checkJson(object[i], `${path}[${i}]`, ancestors)
        if (problem) return problem
      }
      return undefined
    }
    const proto = Object.getPrototypeOf(object)
    if (proto !== Object.prototype && proto !== null) {
      const kind = (proto?.constructor?.name as string | undefined) ?? 'object'
      return `${at(path)}a ${kind}, which JSON does not bring back as one (store a string or number, or pass a serializer that handles it)`
    }
    for (const key of Object.keys(object)) {
      const problem = checkJson((object as Record<string, unknown>)[key], `${path}.${key}`, ancestors)
      if (problem) return problem
    }
    return undefined
  } finally {
    ancestors.delete(object)
  }
}

function at(path: string): string {
  return path ? `${path} is ` : 'it is '
}
