import {
  appendSessionHeaders,
  assertSessions,
  isPromise,
  isSessionError,
  type Session,
  type SessionData,
  type SessionError,
  type SessionHeaders,
  type Sessions,
} from '@sess/core/binding'

/** Options of {@link withSession}. */
export interface WithSessionOptions {
  /**
   * The response when the save fails (`error.status`: 500, or 400 for `NOT_FOUND`, a session logged out by a
   * parallel request). The handler's response is discarded. Default: `error.status` with a plain-text reason.
   */
  onSaveError?: (error: SessionError) => Response | Promise<Response>
}

/**
 * Wraps a Route Handler (or `proxy`, Next 16's middleware) so that it gets the request's session and the
 * session is committed with the response: `Set-Cookie` appended after the handler's own, `Vary: Cookie`
 * when the session was read. Works from the request alone (no `next/headers`), so also in `proxy.ts`, where
 * a cookie-only store (`@sess/signed-cookie`) needs no database.
 *
 * A handler that throws saves nothing (Next answers 500); a response from 500 on saves nothing; a failed
 * save answers {@link WithSessionOptions.onSaveError} instead of the handler's response.
 *
 * @example
 * ```ts
 * export const POST = withSession(sessions, async (session) => {
 *   await session.set('count', ((await session.get('count')) ?? 0) + 1)
 *   return Response.json({ ok: true })
 * })
 * ```
 */
export function withSession<Data extends SessionData, Args extends unknown[]>(
  sessions: Sessions<Data>,
  handler: (session: Session<Data>, request: Request, ...rest: Args) => Response | Promise<Response>,
  options: WithSessionOptions = {},
): (request: Request, ...rest: Args) => Promise<Response> {
  assertSessions(sessions, 'next', 'withSession()')
  const onSaveError =
    options.onSaveError ??
    ((error) => new Response(error.status >= 500 ? 'the session could not be saved' : error.message, { status: error.status }))
  return async (request, ...rest) => {
    const session = sessions.load(request.headers.get('cookie'))
    let response = await handler(session, request, ...rest)
    let result: SessionHeaders | Promise<SessionHeaders>
    try {
      result = sessions.commit(session, { status: response.status, final: true })
      if (isPromise(result)) result = await result
    } catch (error) {
      if (isSessionError(error)) return onSaveError(error)
      throw error
    }
    if (result.setCookie.length === 0 && !result.vary) return response
    try {
      appendSessionHeaders(response.headers, result)
    } catch {
      // An immutable response (`Response.redirect()`, a `fetch()` result): copy it, then add.
      response = new Response(response.body, response)
      appendSessionHeaders(response.headers, result)
    }
    return response
  }
}
