import { SessionError } from '@sess/core/binding'
import { collectChanges } from './compat-changes.js'
import { CompatCookie } from './compat-cookie.js'
import { COMPAT, type CompatState } from './compat-state.js'
import { loadInto } from './compat-load.js'

/** A Node-style callback, as express-session's session methods take them. */
export type SessionCallback = (error?: unknown) => void

/**
 * express-session's `req.session`, over a sess session (made by `expressSessionCompat()`).
 *
 * The data are plain properties (`req.session.user = 'ada'`, `delete req.session.flash`, `'x' in req.session`);
 * at the end of the request (or at `save()`) each key whose serialised value changed is written through
 * sess's change log, so parallel requests that change different keys both survive, and objects mutated in
 * place are saved too. The methods take a callback, return a promise, or both.
 */
export class CompatSession {
  /** @internal A symbol key: never a data key, not in `Object.keys`, `for…in` or JSON. */
  readonly [COMPAT]: CompatState

  /** @internal Made by `expressSessionCompat()`. */
  constructor(state: CompatState) {
    this[COMPAT] = state
  }

  /** The session key (express-session's `req.session.id`), or `undefined` while the session was never saved. */
  get id(): string | undefined {
    return this[COMPAT].core.key ?? undefined
  }

  /** express-session's cookie view: `maxAge` / `expires` / `originalMaxAge` in milliseconds, mapped to sess's `setExpiry`. */
  get cookie(): CompatCookie {
    const state = this[COMPAT]
    state.cookie ??= new CompatCookie(state.sessions, state, state.age)
    return state.cookie
  }

  /**
   * Starts over under a new key, like express-session: the stored session is destroyed now and the data is
   * dropped (`req.session` becomes a new, empty object; Passport copies what it keeps). Use sess's
   * `cycleKey()` (through `getSession(req)`) to keep the data instead.
   */
  regenerate(callback?: SessionCallback): Promise<void> {
    return settle(regenerate(this[COMPAT]), callback)
  }

  /** Saves now (sess's `session.save()`): the response's own commit then writes only what changed after it. */
  save(callback?: SessionCallback): Promise<void> {
    return settle(save(this[COMPAT]), callback)
  }

  /** Logs out: destroys the stored session now (sess's `flush()`), unsets `req.session`; the response expires the cookie. */
  destroy(callback?: SessionCallback): Promise<void> {
    return settle(destroy(this[COMPAT]), callback)
  }

  /** Reads the session again from the store, dropping this request's unsaved changes; `req.session` becomes a new object. */
  reload(callback?: SessionCallback): Promise<void> {
    return settle(reload(this[COMPAT]), callback)
  }

  /** express-session's `touch()`: `cookie.maxAge = cookie.originalMaxAge`, so the save renews the expiry. */
  touch(): this {
    return this.resetMaxAge()
  }

  /** Same as {@link touch}. */
  resetMaxAge(): this {
    const { cookie } = this
    cookie.maxAge = cookie.originalMaxAge
    return this
  }
}

/** Fills a new view with the loaded data (keys that name a method or `cookie`/`id` stay in sess only, as in express-session). @internal */
export function freshView(state: CompatState, entries: Iterable<[string, unknown]> | null): CompatSession {
  const view = new CompatSession(state)
  state.view = view
  state.req.session = view as never
  state.req.sessionID = state.core.key ?? undefined
  if (entries !== null) {
    const data = view as unknown as Record<string, unknown>
    for (const [key, value] of entries) {
      if (key in CompatSession.prototype) continue
      if (key === '__proto__') Object.defineProperty(view, key, { value, writable: true, enumerable: true, configurable: true })
      else data[key] = value
    }
  }
  return view
}

async function apply(state: CompatState): Promise<void> {
  const changes = collectChanges(state)
  if (changes === null) return
  await Promise.all(changes.writes)
  state.snapshot = changes.next
  state.expiry = undefined
}

async function save(state: CompatState): Promise<void> {
  if (state.view === null) throw new SessionError('DATA', 'express', 'req.session.save(): the session was destroyed in this request')
  await apply(state)
  await state.core.save()
  state.req.sessionID = state.core.key ?? undefined
}

async function regenerate(state: CompatState): Promise<void> {
  await state.core.flush()
  state.snapshot = new Map()
  state.expiry = undefined
  state.cookie = null
  state.age = state.defaultAge
  freshView(state, null)
}

async function destroy(state: CompatState): Promise<void> {
  await state.core.flush()
  state.view = null
  state.snapshot = new Map()
  state.expiry = undefined
  delete (state.req as { session?: unknown }).session
  state.req.sessionID = undefined
}

async function reload(state: CompatState): Promise<void> {
  const { sessions, core } = state
  const key = core.key
  if (key === null) throw new SessionError('NOT_FOUND', 'express', 'req.session.reload(): the session was never saved')
  const header = sessions.store.revocable ? `${sessions.cookie.name}=${key}` : state.header
  const fresh = sessions.load(header)
  await loadInto(state, fresh)
  if (fresh.key === null)
    throw new SessionError('NOT_FOUND', 'express', 'req.session.reload(): the session is gone (logged out or expired)')
}

/** Calls `callback` with the outcome when there is one (its promise then never rejects); otherwise the promise carries it. */
function settle(work: Promise<void>, callback: SessionCallback | undefined): Promise<void> {
  if (typeof callback !== 'function') return work
  return work.then(
    () => callback(),
    (error: unknown) => callback(error),
  )
}
