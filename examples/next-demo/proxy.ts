import { createSessions, type Sessions } from '@sess/core'
import type { DemoData } from '@sess-examples/demo-kit'
import { signedCookie } from '@sess/signed-cookie'
import { apiHandler } from './lib/api'

let signed: Sessions<DemoData> | undefined

/**
 * `/signed/api/...`: the same JSON API, answered by `proxy` (Next 16's middleware) before any route, with
 * sessions that live in a sealed cookie (@sess/signed-cookie: no database). The secret comes from
 * `SESS_DEMO_SECRET` (at least 32 characters); the fallback is for trying the demo only.
 */
function signedSessions(): Sessions<DemoData> {
  signed ??= createSessions<DemoData>({
    engine: signedCookie({ secrets: process.env.SESS_DEMO_SECRET ?? 'demo-only-secret-change-me-0123456789abcdef' }),
    cookie: { name: 'signedid' },
  })
  return signed
}

export const proxy = apiHandler(signedSessions, (request) => new URL(request.url).pathname.slice('/signed'.length))

export const config = { matcher: '/signed/:path*' }
