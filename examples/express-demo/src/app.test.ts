import { describeDemoApi } from '@sess-examples/demo-kit/testing'
import { listen, startServer } from './start.js'

// The JSON API contract shared by the three demos, through real HTTP over SQLite. Chromium: browser.test.ts.
describeDemoApi('express', { start: startServer, listen })
