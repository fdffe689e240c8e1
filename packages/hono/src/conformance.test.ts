import { describeBinding } from '@sess/engine-tests'
import { beforeEach, vi } from 'vitest'
import { listen, standardApp } from './test-app.js'

beforeEach(() => {
  // Hono's default error handler logs every 5xx error; the suite provokes some on purpose.
  vi.spyOn(console, 'error').mockImplementation(() => {})
})

describeBinding('hono on @hono/node-server', { start: (sessions) => listen(standardApp(sessions)) })
