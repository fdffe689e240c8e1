import { describeBinding } from '@sess/engine-tests'
import { listen, standardApp } from './test-app.js'

describeBinding('@sess/fastify on Fastify 5 with @fastify/cookie', { start: async (sessions) => listen(await standardApp(sessions)) })
