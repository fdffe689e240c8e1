import type { ServerResponse } from 'node:http'
import { HANDLER_RESPONSE_HEADERS, isPromise, type Session, type SessionHeaders, type Sessions } from '@sess/core'

type Method = 'writeHead' | 'write' | 'end'
type Call = [method: Method, args: unknown[]]
type Res = ServerResponse & { vary?(field: string): unknown }

/**
 * Makes `res` commit the session before its first byte leaves: the first `writeHead`, `write` or `end`
 * runs `sessions.commit`, adds its `Set-Cookie` values (after the app's own) and `Vary: Cookie`, then
 * lets the call through. An untouched session commits synchronously and nothing is deferred. While a save
 * is pending, calls are queued and replayed in order, so the response still goes out in one write.
 * A failed save discards the response the handler built (status, body headers, cookies) and calls `fail(error)` instead.
 * @internal
 */
export function commitBeforeSend(res: Res, sessions: Sessions<any>, session: Session<any>, fail: (error: unknown) => void): void {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end }
  let state: 'open' | 'pending' | 'done' = 'open'
  const queue: Call[] = []

  const run = ([method, args]: Call): unknown => (original[method] as (...a: unknown[]) => unknown).apply(res, args)

  const intercept = (method: Method, args: unknown[]): unknown => {
    if (state === 'done') return run([method, args])
    queue.push([method, args])
    if (state === 'pending') return method === 'write' ? true : res
    const status = method === 'writeHead' ? Number(args[0]) : res.statusCode
    let headers: Promise<SessionHeaders> | SessionHeaders
    try {
      headers = sessions.commit(session, { status })
    } catch (error) {
      return abort(error)
    }
    if (!isPromise(headers)) return flush(headers)
    state = 'pending'
    headers.then(flush, abort).catch(fail) // e.g. a bad header the app passed to writeHead
    return method === 'write' ? true : res
  }

  const flush = (headers: SessionHeaders): unknown => {
    state = 'done'
    if (headers.setCookie.length > 0 || headers.vary) {
      const first = queue[0]!
      if (first[0] === 'writeHead') first[1] = moveHeadersOntoResponse(res, first[1])
      if (headers.setCookie.length > 0) res.appendHeader('Set-Cookie', headers.setCookie as string[])
      if (headers.vary) varyCookie(res)
    }
    let result: unknown
    for (const call of queue.splice(0)) result = run(call)
    return result
  }

  const abort = (error: unknown): unknown => {
    state = 'done'
    queue.length = 0
    if (!res.headersSent) {
      // The handler's response is void: its body headers, cookies and redirect go; headers set earlier for
      // every response (security headers, CORS) stay for the error response.
      for (const name of HANDLER_RESPONSE_HEADERS) res.removeHeader(name)
      const status = (error as { status?: unknown } | null)?.status
      res.statusCode = typeof status === 'number' && status >= 400 && status < 600 ? status : 500
    }
    fail(error)
    return res
  }

  res.writeHead = ((...args: unknown[]) => intercept('writeHead', args)) as Res['writeHead']
  res.write = ((...args: unknown[]) => intercept('write', args)) as Res['write']
  res.end = ((...args: unknown[]) => intercept('end', args)) as Res['end']
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
  const current = res.getHeader('Vary')
  const fields = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((f) => f.trim()).filter(Boolean)
  if (!fields.some((f) => f === '*' || f.toLowerCase() === 'cookie')) res.setHeader('Vary', [...fields, 'Cookie'].join(', '))
}

