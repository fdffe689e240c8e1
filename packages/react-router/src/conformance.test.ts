import { describeBinding } from '@sess/engine-tests'
import { beforeEach, vi } from 'vitest'
import { startStandardApp } from './test-app.js'

beforeEach(() => {
  // React Router logs every error a loader throws; the suite provokes some on purpose.
  vi.spyOn(console, 'error').mockImplementation(() => {})
})

describeBinding('@sess/react-router through React Router 7’s request handler', {
  start: (sessions) => startStandardApp(sessions),
  onlyOpenedSessions: 'a SessionStorage sees only the sessions loaders and actions open',
})
