import type { ServerResponse } from 'node:http'
import {
  HANDLER_RESPONSE_HEADERS,
  isPromise,
  setNodeSessionHeaders,
  type Session,
  type SessionHeaders,
  type Sessions,
} from '@sess/core/binding'

type Method = 'writeHead' | 'write' | 'end'
type Call = [method: Method, args: unknown[]]
type Fn = (...args: unknown[]) => unknown
type Res = ServerResponse & { vary?(field: string): unknown; [STATE]?: CommitState; [ORIGINALS]?: Originals }
// biome-ignore lint/suspicious/noExplicitAny: one commit state serves every app's data type
type AnySessions = Sessions<any>
// biome-ignore lint/suspicious/noExplicitAny: one commit state serves every app's data type
type AnySession = Session<any>

/** On a response: its commit state. @internal */
export const STATE = Symbol('@sess/express commit')
/** On a prototype sess patched: the methods it had before, which every response of it ends up calling. */
const ORIGINALS = Symbol('@sess/express originals')
const OPEN = 0
const PENDING = 1
const DONE = 2

/** The three methods a response is sent with, as they were before sess intercepted them. */
interface Originals {
  readonly writeHead: Fn
  readonly write: Fn
  readonly end: Fn
}

/** One response's commit state: the one object a request adds (and nothing else for an untouched session). */
interface CommitState {
  readonly sessions: AnySessions
  readonly session: AnySession
  readonly fail: (error: unknown) => void
  readonly original: Originals
  phase: typeof OPEN | typeof PENDING | typeof DONE
  /** Calls held while a save is pending; made on first use. */
  queue: Call[] | null
}

/**
 * Makes `res` commit the session before its first byte leaves: the first `writeHead`, `write` or `end`
 * runs `sessions.commit`, adds its `Set-Cookie` values (after the app's own) and `Vary: Cookie`, then
 * lets the call through. An untouched session commits synchronously and nothing is deferred. While a save
 * is pending, calls are queued and replayed in order, so the response still goes out in one write.
 * A failed save discards the response the handler built (status, body headers, cookies) and calls `fail(error)` instead.
 *
 * The interception is installed once, on the response's prototype (Express's `app.response`), by the first
 * request: a request then only adds its commit state to `res`, and a response without one goes straight to the
 * original methods. When a middleware before this one replaced a method on `res` itself, or a second session
 * middleware runs on the same response, the methods of that `res` are wrapped instead.
 * @internal
 */
export function commitBeforeSend(res: Res, sessions: AnySessions, session: AnySession, fail: (error: unknown) => void): void {
  if (res[STATE] === undefined) {
    const original = interceptedBy(res) ?? patchPrototype(res)
    if (original !== null) {
      res[STATE] = { sessions, session, fail, original, phase: OPEN, queue: null }
      return
    }
  }
  const state: CommitState = {
    sessions,
    session,
    fail,
    original: { writeHead: res.writeHead as Fn, write: res.write as Fn, end: res.end as Fn },
    phase: OPEN,
    queue: null,
  }
  res.writeHead = function sessOwnWriteHead(this: Res) {
    // biome-ignore lint/complexity/noArguments: forwarding arguments
    return dispatch(this, state, 'writeHead', arguments)
  } as Res['writeHead']
  res.write = function sessOwnWrite(this: Res) {
    // biome-ignore lint/complexity/noArguments: forwarding arguments
    return dispatch(this, state, 'write', arguments)
  } as Res['write']
  res.end = function sessOwnEnd(this: Res) {
    // biome-ignore lint/complexity/noArguments: forwarding arguments
    return dispatch(this, state, 'end', arguments)
  } as Res['end']
}

/**
 * The methods sess's interception calls on, when `res` sends through it: its prototype's methods are sess's (patched
 * there or inherited from a patched app, as a mounted app's are) and no own method of `res` shadows them; else
 * `null`. Read off the prototype, not `res`: Express gives every response a hidden class of its own, so each property
 * read on `res` misses V8's caches (about 0.7 µs each on the bench host), and `Object.hasOwn` is cheaper than a read
 * that walks to the prototype.
 */
function interceptedBy(res: Res): Originals | null {
  const proto = Object.getPrototypeOf(res) as Res | null
  if (proto === null || proto.end !== sessEnd || proto.write !== sessWrite || proto.writeHead !== sessWriteHead) return null
  if (hasOwnMethods(res)) return null
  return proto[ORIGINALS] ?? null
}

/** Whether `res` has a `writeHead`, `write` or `end` of its own (a middleware before sess wrapped it there). */
function hasOwnMethods(res: Res): boolean {
  return Object.hasOwn(res, 'writeHead') || Object.hasOwn(res, 'write') || Object.hasOwn(res, 'end')
}

/** Installs the interception on the prototype of `res`, when `res` sends with the prototype's own methods. */
function patchPrototype(res: Res): Originals | null {
  if (hasOwnMethods(res)) return null
  if (res.end === sessEnd || res.write === sessWrite || res.writeHead === sessWriteHead) return null
  const proto = Object.getPrototypeOf(res) as Res | null
  if (proto === null || !Object.isExtensible(proto)) return null
  const original: Originals = { writeHead: proto.writeHead as Fn, write: proto.write as Fn, end: proto.end as Fn }
  Object.defineProperty(proto, ORIGINALS, { value: original, configurable: true })
  proto.writeHead = sessWriteHead as Res['writeHead']
  proto.write = sessWrite as Res['write']
  proto.end = sessEnd as Res['end']
  return original
}

function sessWriteHead(this: Res): unknown {
  // biome-ignore lint/complexity/noArguments: forwarding arguments allocates no array on the hot path
  const args = arguments as unknown as unknown[]
  const state = this[STATE]
  if (state === undefined) return this[ORIGINALS]!.writeHead.apply(this, args)
  return dispatch(this, state, 'writeHead', args)
}

function sessWrite(this: Res): unknown {
  // biome-ignore lint/complexity/noArguments: forwarding arguments allocates no array on the hot path
  const args = arguments as unknown as unknown[]
  const state = this[STATE]
  if (state === undefined) return this[ORIGINALS]!.write.apply(this, args)
  return dispatch(this, state, 'write', args)
}

function sessEnd(this: Res): unknown {
  // biome-ignore lint/complexity/noArguments: forwarding arguments allocates no array on the hot path
  const args = arguments as unknown as unknown[]
  const state = this[STATE]
  if (state === undefined) return this[ORIGINALS]!.end.apply(this, args)
  return dispatch(this, state, 'end', args)
}

function dispatch(res: Res, state: CommitState, method: Method, args: ArrayLike<unknown>): unknown {
  return state.phase === DONE ? state.original[method].apply(res, args as unknown[]) : intercept(res, state, method, args)
}

function intercept(res: Res, state: CommitState, method: Method, args: ArrayLike<unknown>): unknown {
  if (state.phase === PENDING) {
    hold(state, method, args)
    return method === 'write' ? true : res
  }
  const status = method === 'writeHead' ? Number(args[0]) : res.statusCode
  let headers: Promise<SessionHeaders> | SessionHeaders
  try {
    headers = state.sessions.commit(state.session, { status, final: true })
  } catch (error) {
    return abort(res, state, error)
  }
  if (!isPromise(headers)) {
    state.phase = DONE
    if (headers.setCookie.length === 0 && !headers.vary) return state.original[method].apply(res, args as unknown[])
    hold(state, method, args)
    return flush(res, state, headers)
  }
  state.phase = PENDING
  hold(state, method, args)
  headers.then(
    (h) => {
      try {
        flush(res, state, h)
      } catch (error) {
        state.fail(error) // e.g. a bad header the app passed to writeHead
      }
    },
    (error: unknown) => abort(res, state, error),
  )
  return method === 'write' ? true : res
}

/** Keeps a call to replay once the session's headers are known. */
function hold(state: CommitState, method: Method, args: ArrayLike<unknown>): void {
  const copy = new Array<unknown>(args.length)
  for (let i = 0; i < args.length; i++) copy[i] = args[i]
  const call: Call = [method, copy]
  if (state.queue === null) state.queue = [call]
  else state.queue.push(call)
}

function flush(res: Res, state: CommitState, headers: SessionHeaders): unknown {
  state.phase = DONE
  const queue = state.queue ?? []
  state.queue = null
  if (headers.setCookie.length > 0 || headers.vary) {
    const first = queue[0]!
    if (first[0] === 'writeHead') first[1] = moveHeadersOntoResponse(res, first[1])
    setNodeSessionHeaders(res, headers)
  }
  let result: unknown
  for (const [method, args] of queue) result = state.original[method].apply(res, args)
  return result
}

function abort(res: Res, state: CommitState, error: unknown): unknown {
  state.phase = DONE
  state.queue = null
  if (!res.headersSent) {
    // The handler's response is void: its body headers, cookies and redirect go; headers set earlier for
    // every response (security headers, CORS) stay for the error response.
    for (const name of HANDLER_RESPONSE_HEADERS) res.removeHeader(name)
    const status = (error as { status?: unknown } | null)?.status
    res.statusCode = typeof status === 'number' && status >= 400 && status < 600 ? status : 500
  }
  state.fail(error)
  return res
}

/** `writeHead(status, [reason], headers)`: its headers go onto `res`, so the session's are appended after them. */
function moveHeadersOntoResponse(res: Res, args: unknown[]): unknown[] {
  const last = args[args.length - 1]
  if (args.length < 2 || typeof last !== 'object' || last === null) return args
  if (Array.isArray(last)) {
    for (let i = 0; i + 1 < last.length; i += 2) res.setHeader(String(last[i]), last[i + 1] as string)
  } else {
    for (const [name, value] of Object.entries(last)) if (value !== undefined) res.setHeader(name, value as string | string[])
  }
  return args.slice(0, -1)
}
