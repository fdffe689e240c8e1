import { runDemo } from '@sess-examples/demo-kit/server'
import { startServer } from './start.js'

// `pnpm --filter @sess-examples/hono-demo start`: the demo on http://localhost:3002.
await runDemo('hono', startServer)
