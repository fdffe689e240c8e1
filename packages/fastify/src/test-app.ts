import type { Sessions } from '@sess/core/binding'
import { delayOf, waitMs, type BindingApp, type BindingData } from '@sess/engine-tests'
import cookie from '@fastify/cookie'
import Fastify, { type FastifyInstance } from 'fastify'
import { session } from './index.js'

/**
 * The binding suite's standard test app (see `describeBinding`) on Fastify 5 with @fastify/cookie and
 * Fastify's default error handler. `extend` adds routes before it listens.
 */
export async function standardApp(sessions: Sessions<BindingData>, extend?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(cookie)
  await app.register(session, { sessions })
  app.get('/counter', async (request) => {
    const count = ((await request.session.get('count', 0)) as number) + 1
    await request.session.set('count', count)
    return { count }
  })
  app.get('/read', async (request) => ({ count: (await request.session.get('count')) ?? null }))
  app.get('/noop', async (_request, reply) => reply.type('text/plain').send('noop'))
  app.get('/data', async (request) => Object.fromEntries(await request.session.entries()))
  app.post<{ Params: { key: string }; Querystring: { value: string } }>('/set/:key', async (request) => {
    await request.session.set(request.params.key, request.query.value)
    return { ok: true }
  })
  app.post<{ Querystring: { user: string; delay?: string } }>('/login', async (request) => {
    await request.session.has('user')
    await waitMs(delayOf(request.query.delay))
    await request.session.cycleKey()
    await request.session.set('user', request.query.user)
    return { user: request.query.user }
  })
  app.post<{ Querystring: { delay?: string } }>('/increment', async (request) => {
    await request.session.has('count')
    await waitMs(delayOf(request.query.delay))
    return { count: await request.session.modify('count', (n = 0) => (n as number) + 1) }
  })
  app.post<{ Querystring: { item: string; delay?: string } }>('/push', async (request) => {
    await request.session.has('items')
    await waitMs(delayOf(request.query.delay))
    await request.session.modify('items', (list = []) => [...(list as string[]), request.query.item])
    return { ok: true }
  })
  app.post('/logout', async (request) => {
    await request.session.flush()
    return { ok: true }
  })
  app.get('/throw', async (request) => {
    await request.session.set('thrown', true)
    throw new Error('the handler failed')
  })
  app.get('/fail500', async (request, reply) => {
    await request.session.set('failed', true)
    return reply.code(500).send({ failed: true })
  })
  app.get('/own-cookie', async (request, reply) => {
    reply.setCookie('app', '1', { path: '/' })
    await request.session.set('own', true)
    return { ok: true }
  })
  extend?.(app)
  return app
}

/** Serves `app` on 127.0.0.1, port 0. */
export async function listen(app: FastifyInstance): Promise<BindingApp> {
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  return { url: address, close: () => app.close() }
}
