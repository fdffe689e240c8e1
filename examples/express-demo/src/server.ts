import { startServer } from './start.js'

// `pnpm demo` (or `pnpm --filter @sess-examples/express-demo start`): the demo on http://localhost:3000.
const port = Number(process.env.PORT ?? 3000)
const demo = await startServer({ port, ...(process.env.SESS_DEMO_DB ? { dbPath: process.env.SESS_DEMO_DB } : {}) })
console.log(`sess express demo on ${demo.url} (sessions in ${process.env.SESS_DEMO_DB ?? 'examples/express-demo/.sess-data/'})`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void demo.close().then(() => process.exit(0))
  })
}
