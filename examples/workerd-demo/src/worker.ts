/**
 * The demo JSON API as a Cloudflare Worker: the Hono demo's app (`@sess-examples/hono-demo/app`) on
 * `@sess/core` + `@sess/hono`, with sessions in `@sess/memory` (one isolate's memory) under `/`, and in a
 * sealed cookie (`@sess/signed-cookie`, Web Crypto) under `/signed/`. No Node APIs: bundled for workerd
 * without `nodejs_compat`, any Node import fails the bundle (see src/bundle.ts).
 */
import { createSessions, type Sessions } from '@sess/core'
import { brokenEngine, type DemoData } from '@sess-examples/demo-kit'
import { createApp } from '@sess-examples/hono-demo/app'
import { memoryEngine } from '@sess/memory'
import { signedCookie } from '@sess/signed-cookie'

/** The worker's bindings (wrangler `vars`, or miniflare's `bindings`). */
export interface Env {
  /** The password that seals `/signed/` sessions (at least 32 characters). */
  SESSION_SECRET: string
  /** Tests only: `'on'` serves `/broken/`, the API over an engine whose writes fail. */
  BROKEN_STORE?: string
}

type Fetch = (request: Request) => Response | Promise<Response>
let apps: { memory: Fetch; signed: Fetch; broken: Fetch | null } | undefined

function fetcher(sessions: Sessions<DemoData>): Fetch {
  const app = createApp(sessions)
  return (request) => app.fetch(request)
}

/** `request` with `prefix` taken off its path (the mounted app sees `/api/...`). */
function strip(request: Request, prefix: string): Request {
  const url = new URL(request.url)
  url.pathname = url.pathname.slice(prefix.length) || '/'
  return new Request(url, request)
}

export default {
  fetch(request: Request, env: Env): Response | Promise<Response> {
    apps ??= {
      memory: fetcher(createSessions<DemoData>({ engine: memoryEngine() })),
      signed: fetcher(createSessions<DemoData>({ engine: signedCookie({ secrets: env.SESSION_SECRET }), cookie: { name: 'signedid' } })),
      broken: env.BROKEN_STORE === 'on' ? fetcher(createSessions<DemoData>({ engine: brokenEngine() })) : null,
    }
    const { pathname } = new URL(request.url)
    if (pathname.startsWith('/signed/')) return apps.signed(strip(request, '/signed'))
    if (apps.broken && pathname.startsWith('/broken/')) return apps.broken(strip(request, '/broken'))
    return apps.memory(request)
  },
}
