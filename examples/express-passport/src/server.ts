import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createApp } from './app.js'

// `pnpm --filter @sess-examples/express-passport start`: http://localhost:3000, sign in as ada / lovelace.
const database = process.env.SESS_EXAMPLE_DB ?? join(dirname(fileURLToPath(import.meta.url)), '..', '.sess-data', 'sessions.sqlite3')
mkdirSync(dirname(database), { recursive: true })
const { app, sessions } = createApp({ database })
const port = Number(process.env.PORT ?? 3000)
const server = app.listen(port, () => console.log(`express-passport on http://localhost:${port} (sign in as ada / lovelace)`))
const stop = () => {
  server.close()
  void sessions.dispose()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
