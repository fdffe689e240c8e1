/**
 * A second process for the user-index tests: `tsx test-user-child.ts <file>` prints `ready`, then answers one line
 * per command read from stdin, in order:
 * - `open` → opens the engine on the file (migrating it if need be) and prints `opened` (or `failed <message>`);
 * - `read <key>` → `hit` or `miss`;
 * - `list <userId>` → `listed <handles, sorted, comma-separated>`;
 * - `destroy <userId> <handle|-> <exceptHandle|->` → `removed <n>`.
 * It exits when stdin ends.
 */
import { createInterface } from 'node:readline'
import { sqliteEngine, type SqliteEngine } from './index.js'

const path = process.argv[2]!
const now = () => new Date(Date.UTC(2030, 0, 1))
let engine: SqliteEngine | undefined
const dash = (value: string | undefined) => (value === undefined || value === '-' ? undefined : value)

console.log('ready')
for await (const line of createInterface({ input: process.stdin })) {
  const [command, a, b, c] = line.split(' ')
  try {
    if (command === 'open') {
      engine = sqliteEngine({ path })
      console.log('opened')
    } else if (command === 'read') {
      console.log((await engine!.read(a!, now())) === null ? 'miss' : 'hit')
    } else if (command === 'list') {
      const records = await engine!.listUser(a!, now())
      console.log(
        `listed ${records
          .map((r) => r.handle)
          .sort()
          .join(',')}`,
      )
    } else if (command === 'destroy') {
      const handle = dash(b)
      const exceptHandle = dash(c)
      const options = { ...(handle === undefined ? {} : { handle }), ...(exceptHandle === undefined ? {} : { exceptHandle }) }
      console.log(`removed ${await engine!.destroyUser(a!, options)}`)
    } else {
      console.log(`unknown ${command}`)
    }
  } catch (error) {
    console.log(`failed ${error instanceof Error ? error.message : String(error)}`)
  }
}
await engine?.dispose()
