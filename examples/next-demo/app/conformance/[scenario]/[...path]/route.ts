import { createSessions, type Sessions, type SessionsOptions } from '@sess/core'
import { richSerializer } from '@sess/core/rich'
import { commitSession, getSession, withSession } from '@sess/next'
import { cookies } from 'next/headers'
import { remoteEngine } from '../../../../lib/remote-engine'

// Test plumbing: @sess/engine-tests' standard binding app, one per scenario, each over the store that the
// test process serves for it (SESS_CONFORMANCE_STORE_URL). Without that variable (a normal start) every
// path here is a 404.

type Data = { count?: number; user?: string; [key: string]: unknown }
type Context = { params: Promise<{ scenario: string; path: string[] }> }
type Handler = (request: Request, context: Context) => Promise<Response>

const json = (value: unknown, status = 200) => Response.json(value, { status })
/** The suite's `delay`: a real pause before the write (0 to 5000 ms). */
const pause = (url: URL) => {
  const ms = Math.min(Number(url.searchParams.get('delay') ?? 0) || 0, 5000)
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()
}
const notFound = () => new Response('not found', { status: 404 })

/** The standard app's routes (see `describeBinding`), through `withSession`. */
async function standard(session: Awaited<ReturnType<typeof getSession<Data>>>, request: Request, path: string): Promise<Response> {
  const url = new URL(request.url)
  const route = `${request.method} /${path}`
  if (route === 'GET /counter') {
    const count = ((await session.get('count', 0)) ?? 0) + 1
    await session.set('count', count)
    return json({ count })
  }
  if (route === 'GET /read') return json({ count: (await session.get('count')) ?? null })
  if (route === 'GET /noop') return new Response('noop')
  if (route === 'GET /data') return json(Object.fromEntries(await session.entries()))
  if (request.method === 'POST' && path.startsWith('set/')) {
    await session.set(path.slice(4), url.searchParams.get('value') ?? undefined)
    return json({ ok: true })
  }
  if (route === 'POST /login') {
    const user = url.searchParams.get('user') ?? ''
    await session.has('user')
    await pause(url)
    await session.cycleKey()
    await session.set('user', user)
    return json({ user })
  }
  if (route === 'POST /increment') {
    await session.has('count')
    await pause(url)
    return json({ count: await session.modify('count', (n = 0) => n + 1) })
  }
  if (route === 'POST /push') {
    const item = url.searchParams.get('item') ?? ''
    await session.has('items')
    await pause(url)
    await session.modify('items', (list: unknown = []) => [...(list as string[]), item])
    return json({ ok: true })
  }
  if (route === 'POST /logout') {
    await session.flush()
    return json({ ok: true })
  }
  if (route === 'GET /throw') {
    await session.set('thrown', true)
    throw new Error('the handler failed')
  }
  if (route === 'GET /fail500') {
    await session.set('failed', true)
    return json({ failed: true }, 500)
  }
  if (route === 'GET /own-cookie') {
    ;(await cookies()).set('app', '1', { path: '/' }) // the app's own cookie, through Next's API
    await session.set('own', true)
    return json({ ok: true })
  }
  return notFound()
}

const scenarios = new Map<string, { sessions: Sessions<Data>; handler: Handler }>()

async function scenario(id: string): Promise<{ sessions: Sessions<Data>; handler: Handler } | undefined> {
  const base = process.env.SESS_CONFORMANCE_STORE_URL
  if (!base || !/^[a-z0-9-]{1,40}$/.test(id)) return undefined
  let known = scenarios.get(id)
  if (known === undefined) {
    const settings = (await (await fetch(`${base}/${id}/settings`)).json()) as Partial<SessionsOptions>
    // Settings arrive as JSON: a serializer comes back as its name (functions do not travel), so map it back.
    if (settings.serializer?.name === 'rich') settings.serializer = richSerializer
    const sessions = createSessions<Data>({ ...settings, engine: remoteEngine(`${base}/${id}`) })
    const handler = withSession(sessions, async (session, request, context: Context) =>
      standard(session, request, (await context.params).path.join('/')),
    )
    scenarios.set(id, (known = { sessions, handler }))
  }
  return known
}

/** `via-headers/counter`: the same counter through `getSession` + `commitSession` (next/headers). */
async function viaHeaders(sessions: Sessions<Data>): Promise<Response> {
  const session = await getSession(sessions)
  const count = ((await session.get('count', 0)) ?? 0) + 1
  await session.set('count', count)
  ;(await cookies()).set('app', 'via-headers', { path: '/' })
  await commitSession(session)
  const late = await session.set('late', true).then(
    () => 'saved?',
    (error: { code?: string }) => error.code,
  )
  return json({ count, sameSession: (await getSession(sessions)) === session, late })
}

async function handle(request: Request, context: Context): Promise<Response> {
  const { scenario: id, path } = await context.params
  const known = await scenario(id)
  if (known === undefined) return notFound()
  if (request.method === 'GET' && path.join('/') === 'via-headers/counter') return viaHeaders(known.sessions)
  return known.handler(request, context)
}

export const GET = handle
export const POST = handle
