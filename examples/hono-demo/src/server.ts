import { startServer } from './start.js'

// `pnpm --filter @sess-examples/hono-demo start`: the demo on http://localhost:3002.
const port = Number(process.env.PORT ?? 3002)
const demo = await startServer({ port, ...(process.env.SESS_DEMO_DB ? { dbPath: process.env.SESS_DEMO_DB } : {}) })
console.log(`sess hono demo on ${demo.url} (sessions in ${process.env.SESS_DEMO_DB ?? 'examples/hono-demo/.sess-data/'})`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0))
  })
}
