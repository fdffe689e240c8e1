import { SessionError } from '@sess/core/engine'

/** Options of {@link memoryEngine}. */
export interface MemoryEngineOptions {
  /**
   * The most sessions held at once (default 10 000). When full, the least recently used session is
   * evicted: its visitor is logged out.
   */
  max?: number
  /**
   * The bound on the approximate bytes held (default {@link DEFAULT_MAX_SIZE}, 64 MiB): a record counts
   * `payload.length * 2 + 184` (the payload as UTF-16, and its digest and slot; an overestimate). When full, the least recently
   * used sessions are evicted. A single record larger than this is refused with `SessionError('DATA')` instead of
   * being dropped silently.
   */
  maxSize?: number
  /**
   * Milliseconds between sweeps that delete expired sessions nobody reads any more (default {@link DEFAULT_SWEEP_INTERVAL},
   * one minute). The timer never keeps the process alive (it is `unref`'d) and stops on `dispose()`. `false`: no sweeps
   * (expired sessions are then deleted when read, evicted, or by `purgeExpired`).
   */
  sweepInterval?: number | false
  /**
   * The clock the sweeps judge expiry by (default `Date.now`). Pass the same clock as `createSessions({ now })`:
   * reads still decide expiry by the `now` core passes, so a sweep never deletes a session core considers alive.
   */
  now?: () => Date | number
}

/** The validated options. */
export interface ResolvedMemoryOptions {
  readonly max: number
  readonly maxSize: number
  /** ms, or `null` for no sweeps. */
  readonly sweepInterval: number | null
  /** ms since the epoch. */
  readonly clock: () => number
}

/** The default `max`: 10 000 sessions. */
export const DEFAULT_MAX = 10_000
/** The default `maxSize`: 64 MiB by the size estimate (10 000 sessions of about 3 KB each). */
export const DEFAULT_MAX_SIZE = 64 * 1024 * 1024
/** The default `sweepInterval`: one minute. */
export const DEFAULT_SWEEP_INTERVAL = 60_000

/** Validates {@link MemoryEngineOptions}; bad values throw `SessionError('CONFIG')`. */
export function resolveMemoryOptions(options: MemoryEngineOptions | undefined): ResolvedMemoryOptions {
  if (options === undefined) return { max: DEFAULT_MAX, maxSize: DEFAULT_MAX_SIZE, sweepInterval: DEFAULT_SWEEP_INTERVAL, clock: Date.now }
  if (typeof options !== 'object' || options === null) throw config(`options must be an object, not ${describe(options)}`)
  const max = options.max === undefined ? DEFAULT_MAX : positiveInteger('max', options.max)
  const maxSize = options.maxSize === undefined ? DEFAULT_MAX_SIZE : positiveInteger('maxSize', options.maxSize)
  const sweep = options.sweepInterval ?? DEFAULT_SWEEP_INTERVAL
  const sweepInterval = sweep === false ? null : positiveInteger('sweepInterval', sweep)
  if (sweepInterval !== null && sweepInterval > 2 ** 31 - 1) throw config('sweepInterval must be at most 2147483647 ms (a timer limit)')
  const now = options.now
  if (now !== undefined && typeof now !== 'function') throw config('now must be a function returning a Date or ms')
  return { max, maxSize, sweepInterval, clock: now ? () => +now() : Date.now }
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
