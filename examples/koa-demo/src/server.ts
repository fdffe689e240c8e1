import { runDemo } from '@sess-examples/demo-kit/server'
import { startServer } from './start.js'

// `pnpm --filter @sess-examples/koa-demo start`: the demo on http://localhost:3001.
await runDemo('koa', startServer)
