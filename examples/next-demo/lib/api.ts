import type { Session, Sessions } from '@sess/core'
import { type DemoData, type DemoReply, errorReply, findEndpoint, noSuchEndpoint, readJsonBody } from '@sess-examples/demo-kit'
import { withSession } from '@sess/next'

const send = (reply: DemoReply): Response => Response.json(reply.json, { status: reply.status })

/** One request to the demo's JSON API over `session` (one of `sessions`): the shared endpoint table, errors as JSON. */
export async function answer(sessions: Sessions<DemoData>, session: Session<DemoData>, request: Request, path: string): Promise<Response> {
  const endpoint = findEndpoint(request.method, path)
  if (endpoint === undefined) return send(noSuchEndpoint)
  try {
    const length = request.headers.get('content-length')
    const body = endpoint.body
      ? await readJsonBody({
          contentType: request.headers.get('content-type'),
          contentLength: length ? Number(length) : undefined,
          body: request.body,
        })
      : undefined
    // Next.js does not tell a Route Handler the peer's address (`x-forwarded-for` is the client's to forge): no ip.
    return send(await endpoint.handle(session, body, { sessions, userAgent: request.headers.get('user-agent'), ip: null }))
  } catch (error) {
    return send(errorReply(error)) // a 5xx reply saves nothing
  }
}

/**
 * The demo's JSON API as a Route Handler (or `proxy`) over `sessions`: `path` maps the request to the API
 * path (`/api/...`); a failed save answers the demo's 500 JSON.
 */
export function apiHandler(sessions: () => Sessions<DemoData>, path: (request: Request) => string) {
  let handler: ((request: Request) => Promise<Response>) | undefined
  return (request: Request): Promise<Response> => {
    if (handler === undefined) {
      const all = sessions()
      handler = withSession(all, (session, req: Request) => answer(all, session, req, path(req)), {
        onSaveError: (error) => send(errorReply(error)),
      })
    }
    return handler(request)
  }
}
