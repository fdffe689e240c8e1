import type { ServerResponse } from 'node:http'
import {
  HANDLER_RESPONSE_HEADERS,
  isPromise,
  privateCacheControl,
  varyWithCookie,
  type Session,
  type SessionHeaders,
  type Sessions,
} from '@sess/core/binding'

type Method = 'writeHead' | 'write' | 'end'
type Call = [method: Method, args: unknown[]]
type Res = ServerResponse & { vary?(field: string): unknown; [STATE]?: CommitState }
type Fn = (...args: unknown[]) => unknown
// biome-ignore lint/suspicious/noExplicitAny: one commit state serves every app's data type
type AnySessions = Sessions<any>
// biome-ignore lint/suspicious/noExplicitAny: one commit state serves every app's data type
type AnySession = Session<any>

const STATE = Symbol('@sess/express commit')
const OPEN = 0
const PENDING = 1
const DONE = 2

/** One response's commit state. The wrappers below are shared functions: no closure is made per request. */
interface CommitState {
  readonly sessions: AnySessions
  readonly session: AnySession
  readonly fail: (error: unknown) => void
  readonly writeHead: Fn
  readonly write: Fn
  readonly end: Fn
  phase: typeof OPEN | typeof PENDING | typeof DONE
  queue: Call[]
}

/**
 * Makes `res` commit the session before its first byte leaves: the first `writeHead`, `write` or `end`
 * runs `sessions.commit`, adds its `Set-Cookie` values (after the app's own) and `Vary: Cookie`, then
 * lets the call through. An untouched session commits synchronously and nothing is deferred. While a save
 * is pending, calls are queued and replayed in order, so the response still goes out in one write.
 * A failed save discards the response the handler built (status, body headers, cookies) and calls `fail(error)` instead.
 * @internal
 */
export function commitBeforeSend(res: Res, sessions: AnySessions, session: AnySession, fail: (error: unknown) => void): void {
  res[STATE] = {
    sessions,
    session,
    fail,
    writeHead: res.writeHead as Fn,
    write: res.write as Fn,
    end: res.end as Fn,
    phase: OPEN,
    queue: [],
  }
  res.writeHead = sessWriteHead as Res['writeHead']
  res.write = sessWrite as Res['write']
  res.end = sessEnd as Res['end']
}

function sessWriteHead(this: Res): unknown {
  // biome-ignore lint/complexity/noArguments: forwarding arguments allocates no array on the hot path
  const args = arguments
  const state = this[STATE]!
  return state.phase === DONE ? state.writeHead.apply(this, args as unknown as unknown[]) : intercept(this, state, 'writeHead', args)
}

function sessWrite(this: Res): unknown {
  // biome-ignore lint/complexity/noArguments: forwarding arguments allocates no array on the hot path
  const args = arguments
  const state = this[STATE]!
  return state.phase === DONE ? state.write.apply(this, args as unknown as unknown[]) : intercept(this, state, 'write', args)
}

function sessEnd(this: Res): unknown {
  // biome-ignore lint/complexity/noArguments: forwarding arguments allocates no array on the hot path
  const args = arguments
  const state = this[STATE]!
  return state.phase === DONE ? state.end.apply(this, args as unknown as unknown[]) : intercept(this, state, 'end', args)
}

function intercept(res: Res, state: CommitState, method: Method, args: IArguments): unknown {
  if (state.phase === PENDING) {
    state.queue.push([method, Array.from(args)])
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
    if (headers.setCookie.length === 0 && !headers.vary) return state[method].apply(res, args as unknown as unknown[])
    state.queue.push([method, Array.from(args)])
    return flush(res, state, headers)
  }
  state.phase = PENDING
  state.queue.push([method, Array.from(args)])
  headers
    .then(
      (h) => flush(res, state, h),
      (error: unknown) => abort(res, state, error),
    )
    .catch(state.fail) // e.g. a bad header the app passed to writeHead
  return method === 'write' ? true : res
}

function flush(res: Res, state: CommitState, headers: SessionHeaders): unknown {
  state.phase = DONE
  if (headers.setCookie.length > 0 || headers.vary) {
    const first = state.queue[0]!
    if (first[0] === 'writeHead') first[1] = moveHeadersOntoResponse(res, first[1])
    if (headers.setCookie.length > 0) {
      res.appendHeader('Set-Cookie', headers.setCookie as string[])
      const cacheControl = privateCacheControl(res.getHeader('Cache-Control'))
      if (cacheControl !== null) res.setHeader('Cache-Control', cacheControl)
    }
    if (headers.vary) varyCookie(res)
  }
  let result: unknown
  for (const [method, args] of state.queue.splice(0)) result = state[method].apply(res, args)
  return result
}

function abort(res: Res, state: CommitState, error: unknown): unknown {
  state.phase = DONE
  state.queue.length = 0
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

/** Adds `Cookie` to `Vary`, keeping what the app set (Express's `res.vary` when present). */
function varyCookie(res: Res): void {
  if (typeof res.vary === 'function') {
    res.vary('Cookie')
    return
  }
  const vary = varyWithCookie(res.getHeader('Vary'))
  if (vary !== null) res.setHeader('Vary', vary)
}
