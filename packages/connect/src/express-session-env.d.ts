// express-session (a peer dependency) is typed here so the package needs no `@types/express-session`. The
// package itself takes only the `Store` base class, whose `regenerate`, `load` and `createSession` express-session
// calls on every store; the tests also mount the middleware and use its `MemoryStore`.
declare module 'express-session' {
  import { EventEmitter } from 'node:events'

  class Store extends EventEmitter {}
  const session: {
    (options: Record<string, unknown>): (req: unknown, res: unknown, next: (error?: unknown) => void) => void
    Store: typeof Store
    MemoryStore: new () => Store
  }
  export default session
}
