import { SessionError } from './errors.js'
import { checkData, checkKey, validateLoaded } from './schema.js'
import { assertWritable, DELETED, type SessionState } from './state.js'

/**
 * Where `createSessions({ schema })` meets a session: the value a write stores, the whole-data check before a
 * save, and the check of loaded data. Called only when a schema is configured (`s.ctx.schema !== null`).
 */

/**
 * The value to store under `key`: the key's schema's output. Synchronous when the validator is. A key the
 * schema has no own entry for is checked within the whole data and flags the whole check before the save.
 * Failure → `SessionError('DATA')`, nothing written.
 */
export function schemaValue(s: SessionState, key: string, value: unknown, what: string): unknown {
  const checked = checkKey(s.ctx.schema!, key, value, s.data)
  if (checked instanceof Promise) {
    return checked.then((result) => {
      assertWritable(s, what) // the final commit may have started while an async validator ran
      if (result.unchecked) s.unchecked = true
      return result.value
    })
  }
  if (checked.unchecked) s.unchecked = true
  return checked.value
}

/**
 * Checks the whole data before a save when something no per-key schema vouches for is in it: a new or reset
 * session (required keys), a key without its own schema, a delete, `clear()`, `modified = true` (in-place
 * mutation). The data becomes the schema's output. Failure → `SessionError('DATA')` naming the paths; nothing
 * is saved and the change log is kept.
 */
export async function checkBeforeSave(s: SessionState): Promise<void> {
  if (!needsWholeCheck(s)) return
  const data = await checkData(s.ctx.schema!, s.data)
  for (const [key, value] of s.changes) if (value !== DELETED) s.changes.set(key, data.get(key))
  s.data = data
  s.unchecked = false
}

/**
 * After a conflict re-applied this request's changes on fresh data: `modify` functions re-ran there, so
 * their results are checked again (and become their keys' outputs), then the whole data when needed.
 */
export async function checkAfterRebase(s: SessionState): Promise<void> {
  for (const key of s.modifiers.keys()) {
    if (!s.data.has(key)) continue
    const checked = await checkKey(s.ctx.schema!, key, s.data.get(key), s.data)
    if (checked.unchecked) s.unchecked = true
    s.data.set(key, checked.value)
  }
  await checkBeforeSave(s)
}

/**
 * Validates data just read from the store. Valid: the app gets the schema's output. Invalid: a
 * `session.invalid` event with the issues' paths (never the values), then `onInvalid` decides — `reset`: an
 * empty session under the same key (the stored data is replaced by the next save, never merged back);
 * `error`: `SessionError('DATA')`, and every data call of this request rejects.
 */
export async function checkLoaded(s: SessionState): Promise<void> {
  const schema = s.ctx.schema!
  const checked = validateLoaded(schema, s.data)
  const result = checked instanceof Promise ? await checked : checked
  if (result.ok) {
    s.data = result.data
    s.unchecked = false
    return
  }
  s.ctx.emit({ type: 'session.invalid', store: s.ctx.store.name, paths: result.paths, action: schema.onInvalid })
  if (schema.onInvalid === 'error') {
    throw new SessionError('DATA', 'core', `the stored session data does not match the schema at ${result.paths.join(', ')}`)
  }
  s.data = new Map()
  s.merge = 'clear'
}

/** Whether {@link checkBeforeSave} has anything to check (no promise is made when it has not). */
export function needsWholeCheck(s: SessionState): boolean {
  return s.unchecked || s.merge !== 'keys' || hasDelete(s.changes)
}

function hasDelete(changes: ReadonlyMap<string, unknown>): boolean {
  for (const value of changes.values()) if (value === DELETED) return true
  return false
}
