import type { IncomingMessage, ServerResponse } from 'node:http'

type Handle = (req: IncomingMessage, res: ServerResponse, next?: unknown) => unknown
interface App {
  handle?: Handle
  parent?: App
  request?: object
  response?: object
  [DECLARED]?: Slots
}
interface Slots {
  readonly req: PropertyKey[]
  readonly res: PropertyKey[]
}

/** On an app whose `handle` sess wrapped: the own properties it declares on every request and response. */
const DECLARED = Symbol('@sess/express declared slots')

/**
 * Makes the properties a middleware adds to every `req` and `res` exist before Express gives them the app's
 * prototypes, so that setting them later is a plain store.
 *
 * Why: Express calls `Object.setPrototypeOf` on every request and response, and V8 caches no property transition
 * of an object whose prototype was changed. Each property added after that (`req.session`, the commit state on
 * `res`) builds a new hidden class per request: about 1.3 µs each plus the garbage, measured on Node 20. The same
 * property added before the prototype change follows V8's cached transitions (0.05 µs).
 *
 * It wraps the root app's `handle` (the function Express's `app(req, res)` calls before anything else) once, to
 * set the named properties to `undefined` on a request that does not have them yet. A property the app's
 * prototypes define (an accessor some plugin put on `app.request`, say) is left alone, so nothing is shadowed.
 * Only speed depends on this: the middleware sets its properties itself either way.
 * @internal
 */
export function declareSlots(req: IncomingMessage, reqSlots: readonly PropertyKey[], resSlots: readonly PropertyKey[]): void {
  let app = (req as { app?: App }).app
  if (typeof app !== 'function' && (typeof app !== 'object' || app === null)) return
  while (app.parent !== undefined && app.parent !== null) app = app.parent
  const existing = app[DECLARED]
  if (existing !== undefined) {
    addMissing(existing.req, reqSlots, app.request)
    addMissing(existing.res, resSlots, app.response)
    return
  }
  const original = app.handle
  if (typeof original !== 'function' || !Object.isExtensible(app)) return
  const slots: Slots = { req: [], res: [] }
  addMissing(slots.req, reqSlots, app.request)
  addMissing(slots.res, resSlots, app.response)
  Object.defineProperty(app, DECLARED, { value: slots, configurable: true })
  app.handle = function sessDeclareSlots(this: App, req: IncomingMessage, res: ServerResponse, next?: unknown) {
    const r = slots.req
    for (let i = 0; i < r.length; i++) if (!(r[i]! in req)) (req as unknown as Record<PropertyKey, unknown>)[r[i]!] = undefined
    const s = slots.res
    for (let i = 0; i < s.length; i++) if (!(s[i]! in res)) (res as unknown as Record<PropertyKey, unknown>)[s[i]!] = undefined
    return original.call(this, req, res, next)
  }
}

/** Adds the keys not yet in `into` that the app's prototype (and its chain) does not define. */
function addMissing(into: PropertyKey[], keys: readonly PropertyKey[], proto: object | undefined): void {
  for (const key of keys) {
    if (into.includes(key)) continue
    if (typeof proto === 'object' && proto !== null && key in proto) continue
    into.push(key)
  }
}
