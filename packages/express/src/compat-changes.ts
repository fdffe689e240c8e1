import type { CompatState } from './compat-state.js'

/** `JSON.stringify(value)`, or `null` when it throws (then the value is written and sess's own check reports it). */
export function serialised(value: unknown): string | null {
  try {
    return JSON.stringify(value) ?? null
  } catch {
    return null
  }
}

/**
 * Hands what the app did to `req.session`'s properties since the last save to the sess session, through its
 * change log: `set` for every key whose serialised value differs from the snapshot (new keys, reassigned
 * values and objects mutated in place alike), `delete` for keys removed or set to `undefined`, `setExpiry`
 * for an expiry given through `req.session.cookie`. Returns the pending writes (none: `null`) and the
 * snapshot to keep once they are saved.
 * @internal
 */
export function collectChanges(state: CompatState): { writes: Array<Promise<unknown>>; next: Map<string, string> } | null {
  const { view, core, snapshot } = state
  const writes: Array<Promise<unknown>> = []
  let next: Map<string, string> | null = null
  if (view !== null) {
    const data = view as Record<string, unknown>
    for (const key of Object.keys(data)) {
      const value = data[key]
      if (value === undefined) continue // as JSON drops it: removed below
      const now = serialised(value)
      if (now !== null && now === snapshot.get(key)) continue
      writes.push(core.set(key, value))
      next ??= new Map(snapshot)
      if (now === null) next.delete(key)
      else next.set(key, now)
    }
    for (const key of snapshot.keys()) {
      if (Object.hasOwn(data, key) && data[key] !== undefined) continue
      writes.push(core.delete(key))
      next ??= new Map(snapshot)
      next.delete(key)
    }
  }
  if (state.expiry !== undefined) writes.push(core.setExpiry(state.expiry))
  if (writes.length === 0) return null
  return { writes, next: next ?? snapshot }
}
