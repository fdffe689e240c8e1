import { runDemo } from '@sess-examples/demo-kit/server'
import { startServer } from './start.js'

// `pnpm demo` (or `pnpm --filter @sess-examples/express-demo start`): the demo on http://localhost:3000.
await runDemo('express', startServer)
