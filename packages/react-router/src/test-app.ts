import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequestListener } from '@react-router/node'
import type { Sessions } from '@sess/core/binding'
import { delayOf, waitMs, type BindingApp, type BindingData } from '@sess/engine-tests'
import type { ActionFunctionArgs, LoaderFunctionArgs, ServerBuild, SessionStorage } from 'react-router'

type ServerRouteModule = NonNullable<ServerBuild['routes'][string]>['module']
import { createSessStorage, sessionHeaders, sessOf } from './index.js'

type Args = LoaderFunctionArgs | ActionFunctionArgs
/** A resource route: `loader` answers GET, `action` answers POST. */
export interface TestRoute {
  path: string
  loader?: (args: Args) => Promise<Response> | Response
  action?: (args: Args) => Promise<Response> | Response
}

/** A JSON response with `sessionHeaders(...cookies)` (`Vary: Cookie` unless `vary: false`), as a React Router app answers. */
const json = (body: unknown, init: { cookies?: string[]; vary?: boolean; status?: number } = {}) => {
  const headers = sessionHeaders(...(init.cookies ?? []))
  headers.set('content-type', 'application/json')
  if (init.vary === false) headers.delete('vary')
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers })
}

/** The binding suite's standard routes (see `describeBinding`), written the way a React Router app uses its SessionStorage. */
export function standardRoutes(storage: SessionStorage<BindingData>): TestRoute[] {
  const { getSession, commitSession, destroySession } = storage
  const load = (request: Request) => getSession(request.headers.get('cookie'))
  return [
    {
      path: 'counter',
      loader: async ({ request }) => {
        const session = await load(request)
        const count = ((session.get('count') as number | undefined) ?? 0) + 1
        session.set('count', count)
        return json({ count }, { cookies: [await commitSession(session)] })
      },
    },
    {
      // Read-only loaders commit too: that removes a dead cookie (and consumes flash messages read).
      path: 'read',
      loader: async ({ request }) => {
        const session = await load(request)
        return json({ count: session.get('count') ?? null }, { cookies: [await commitSession(session)] })
      },
    },
    { path: 'noop', loader: () => new Response('noop', { headers: { 'content-type': 'text/plain' } }) },
    {
      path: 'data',
      loader: async ({ request }) => {
        const session = await load(request)
        return json(session.data, { cookies: [await commitSession(session)] })
      },
    },
    {
      path: 'set/:key',
      action: async ({ request, params }) => {
        const session = await load(request)
        session.set(String(params.key), new URL(request.url).searchParams.get('value'))
        return json({ ok: true }, { cookies: [await commitSession(session)] })
      },
    },
    {
      path: 'login',
      action: async ({ request }) => {
        const query = new URL(request.url).searchParams
        const user = query.get('user') ?? ''
        const session = await load(request)
        await waitMs(delayOf(query.get('delay')))
        await sessOf(session).cycleKey() // React Router's API has no key cycling: sess's session does it
        session.set('user', user)
        return json({ user }, { cookies: [await commitSession(session)] })
      },
    },
    {
      path: 'increment',
      action: async ({ request }) => {
        const session = await load(request)
        await waitMs(delayOf(new URL(request.url).searchParams.get('delay')))
        const count = await sessOf<BindingData>(session).modify('count', (n = 0) => n + 1) // atomic: session.set would lose updates
        return json({ count }, { cookies: [await commitSession(session)] })
      },
    },
    {
      path: 'push',
      action: async ({ request }) => {
        const query = new URL(request.url).searchParams
        const session = await load(request)
        await waitMs(delayOf(query.get('delay')))
        await sessOf<BindingData>(session).modify('items', (list = []) => [...list, query.get('item') ?? ''])
        return json({ ok: true }, { cookies: [await commitSession(session)] })
      },
    },
    { path: 'logout', action: async ({ request }) => json({ ok: true }, { cookies: [await destroySession(await load(request))] }) },
    {
      path: 'throw',
      loader: async ({ request }) => {
        const session = await load(request)
        session.set('thrown', true)
        throw new Error('the handler failed')
      },
    },
    {
      path: 'fail500',
      loader: async ({ request }) => {
        const session = await load(request)
        session.set('failed', true)
        return json({ failed: true }, { status: 500 }) // an app does not commit what a failed request changed
      },
    },
    {
      path: 'own-cookie',
      loader: async ({ request }) => {
        const session = await load(request)
        session.set('own', true)
        return json({ ok: true }, { cookies: ['app=1; Path=/', await commitSession(session)] })
      },
    },
  ]
}

/** A minimal server build: a root route without UI and the given resource routes under it. */
export function serverBuild(routes: TestRoute[]): ServerBuild {
  const manifest: ServerBuild['routes'] = {
    root: { id: 'root', path: '', module: {} as ServerRouteModule },
  }
  const entry = (id: string, path: string, route?: TestRoute) => ({
    ...{ id, path, module: '', hasAction: !!route?.action, hasLoader: !!route?.loader, hasErrorBoundary: false },
    ...{ hasClientAction: false, hasClientLoader: false, hasClientMiddleware: false },
    ...{
      clientActionModule: undefined,
      clientLoaderModule: undefined,
      clientMiddlewareModule: undefined,
      hydrateFallbackModule: undefined,
    },
  })
  const assets: ServerBuild['assets']['routes'] = { root: entry('root', '') }
  for (const route of routes) {
    const id = `routes/${route.path}`
    manifest[id] = { id, parentId: 'root', path: route.path, module: { loader: route.loader, action: route.action } as ServerRouteModule }
    assets[id] = { ...entry(id, route.path, route), parentId: 'root' }
  }
  return {
    entry: { module: { default: () => new Response('no document routes in this test', { status: 404 }) } },
    routes: manifest,
    assets: { entry: { module: '', imports: [] }, routes: assets, url: '', version: 'test' },
    publicPath: '/',
    assetsBuildDirectory: 'build/client',
    future: {} as ServerBuild['future'],
    ssr: true,
    isSpaMode: false,
    prerender: [],
    routeDiscovery: { mode: 'lazy', manifestPath: '/__manifest' },
  } as ServerBuild
}

/** Serves the routes through React Router's request handler (`@react-router/node`) on node:http, 127.0.0.1, port 0. */
export function listen(routes: TestRoute[]): Promise<BindingApp> {
  const server = createServer(createRequestListener({ build: serverBuild(routes), mode: 'production' }))
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections()
            server.close((error) => (error ? fail(error) : done()))
          }),
      })
    })
  })
}

/** The standard test app with `createSessStorage(sessions)`. */
export function startStandardApp(sessions: Sessions<BindingData>, extra: TestRoute[] = []): Promise<BindingApp> {
  return listen([...extra, ...standardRoutes(createSessStorage<BindingData>(sessions))])
}
