import type { Session } from '@sess/core/binding'
import { serialised } from './compat-changes.js'
import { CompatSession, freshView } from './compat-session.js'
import type { CompatState, LoadedAge } from './compat-state.js'

// biome-ignore lint/suspicious/noExplicitAny: serves every app's data type
type AnySession = Session<any>

/** The expiry age of a loaded session as the cookie view shows it: ms, or `null` when the cookie ends with the browser. @internal */
export async function ageOf(session: AnySession): Promise<LoadedAge> {
  const [age, atBrowserClose] = await Promise.all([session.getExpiryAge(), session.expireAtBrowserClose()])
  return atBrowserClose ? null : age * 1000
}

/** Loads `core` and makes it the state's session, with a fresh `req.session` holding its data. @internal */
export async function loadInto(state: CompatState, core: AnySession): Promise<void> {
  const [entries, age] = await Promise.all([core.entries(), ageOf(core)])
  const snapshot = new Map<string, string>()
  for (const [key, value] of entries) {
    if (key in CompatSession.prototype) continue // not exposed as a property (as in express-session): left as it is
    const text = serialised(value)
    if (text !== null) snapshot.set(key, text)
  }
  state.core = core
  state.snapshot = snapshot
  state.expiry = undefined
  state.cookie = null
  state.age = age
  freshView(state, entries as Array<[string, unknown]>)
}
