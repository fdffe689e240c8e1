import { SessionError } from '@sess/core/engine'

/** Options of {@link memoryEngine}. */
export interface MemoryEngineOptions {
  /**
   * The most sessions held at once (default 10 000). When full, the least recently used session is
   * evicted: its visitor is logged out.
   */
  max?: number
  /**
   * An optional bound on the approximate bytes held: a record counts `payload.length * 2 + key.length * 2 + 96`.
   * A single record larger than this is refused with `SessionError('DATA')` instead of being dropped silently.
   */
  maxSize?: number
}

/** The validated options. */
export interface ResolvedMemoryOptions {
  readonly max: number
  readonly maxSize: number | undefined
}

/** The default `max`: 10 000 sessions. */
export const DEFAULT_MAX = 10_000

/** Validates {@link MemoryEngineOptions}; bad values throw `SessionError('CONFIG')`. */
export function resolveMemoryOptions(options: MemoryEngineOptions | undefined): ResolvedMemoryOptions {
  if (options === undefined) return { max: DEFAULT_MAX, maxSize: undefined }
  if (typeof options !== 'object' || options === null) throw config(`options must be an object, not ${describe(options)}`)
  const max = options.max === undefined ? DEFAULT_MAX : positiveInteger('max', options.max)
  const maxSize = options.maxSize === undefined ? undefined : positiveInteger('maxSize', options.maxSize)
  return { max, maxSize }
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw config(`${name} must be a positive whole number, not ${describe(value)}`)
  }
  return value
}

function config(message: string): SessionError {
  return new SessionError('CONFIG', 'memory', message)
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value)
}
