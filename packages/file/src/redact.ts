/**
 * Removes a session key from a system error before it travels as a `cause`: Node puts the file path,
 * which contains the key, in `message`, `path` and `stack`, and a key is a secret (it grants the session).
 */
export function redactKey(error: unknown, key: string): unknown {
  if (typeof error !== 'object' || error === null) return error
  const record = error as Record<string, unknown>
  for (const field of ['message', 'stack', 'path', 'dest']) {
    const value = record[field]
    if (typeof value === 'string' && value.includes(key)) {
      try {
        record[field] = value.split(key).join('<key>')
      } catch {
        // A frozen error keeps its text.
      }
    }
  }
  return error
}
