// The one runtime value this package takes from express-session (a peer dependency): its `Store` base class,
// whose `regenerate`, `load` and `createSession` express-session calls on every store. Typed here so the
// package needs no `@types/express-session`.
declare module 'express-session' {
  import { EventEmitter } from 'node:events'

  class Store extends EventEmitter {}
  const session: { Store: typeof Store }
  export default session
}
