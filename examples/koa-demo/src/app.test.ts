import { describeDemoApi } from '@sess-examples/demo-kit/testing'
import { listen, startServer } from './start.js'

// The JSON API contract shared by the three demos, through real HTTP over SQLite, and a failing store.
describeDemoApi('koa', { start: startServer, listen })
