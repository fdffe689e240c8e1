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
 * What a middleware calls on each request to have its per-request properties declared early (see {@link declareSlots});
 * only the first call does anything.
 * @internal
 */
export function slotDeclarer(reqSlots: readonly PropertyKey[], resSlots: readonly PropertyKey[]): (req: IncomingMessage) => void {
  let declared = false
  return (req) => {
    if (declared) return
    declared = true
    declareSlots(req, reqSlots, resSlots)
  }
}

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
 */
function declareSlots(req: IncomingMessage, reqSlots: readonly PropertyKey[], resSlots: readonly PropertyKey[]): void {
  let app = (req as { app?: App }).app
  if (typeof app !== 'function' && (typeof app !== 'object' || app === null)) return
  while (app.parent !== undefined && app.parent !== null) app = app.parent
  let slots = app[DECLARED]
  if (slots === undefined) {
    const original = app.handle
    if (typeof original !== 'function' || !Object.isExtensible(app)) return
    const declared: Slots = { req: [], res: [] }
    slots = declared
    Object.defineProperty(app, DECLARED, { value: declared, configurable: true })
    app.handle = function sessDeclareSlots(this: App, req: IncomingMessage, res: ServerResponse, next?: unknown) {
      declareOn(req, declared.req)
      declareOn(res, declared.res)
      return original.call(this, req, res, next)
    }
  }
  addMissing(slots.req, reqSlots, app.request)
  addMissing(slots.res, resSlots, app.response)
}

/** Sets each of `keys` that `target` does not have (own or inherited) to `undefined`. */
function declareOn(target: object, keys: readonly PropertyKey[]): void {
  for (let i = 0; i < keys.length; i++) if (!(keys[i]! in target)) (target as Record<PropertyKey, unknown>)[keys[i]!] = undefined
}

/** Adds the keys not yet in `into` that the app's prototype (and its chain) does not define. */
function addMissing(into: PropertyKey[], keys: readonly PropertyKey[], proto: object | undefined): void {
  for (const key of keys) {
    if (into.includes(key)) continue
    if (typeof proto === 'object' && proto !== null && key in proto) continue
    into.push(key)
  }
}
