import { generateSessionKey, sessionHandle, type SessionRecord } from '@sess/core/engine'

/** Payloads every engine must store byte for byte. */
export const payloadFixtures: Readonly<Record<string, string>> = {
  empty: '{}',
  unicode: JSON.stringify({ d: { name: 'Zoë 🐍 日本語 — ñ', rtl: 'שלום', zwj: '👩‍👩‍👧' }, c: 1 }),
  quotes: JSON.stringify({ d: { q: `"'\`\\ \n\r\t </script>`, nul: 'a\u0000b' }, c: 1 }),
  large64k: JSON.stringify({ d: { blob: 'x'.repeat(64 * 1024) }, c: 1 }),
}

/** A record for tests. */
export function record(payload = '{"d":{"n":1},"c":1}', expiresAt: Date | number = Date.UTC(2030, 0, 2), version = 1): SessionRecord {
  return { payload, expiresAt: new Date(+expiresAt), version }
}

/**
 * A record of a signed-in session, as core writes it: `userId`, and the handle core derives from `key`.
 * `userId: null` gives the anonymous record core writes when a user signs out.
 */
export function userRecord(
  key: string,
  userId: string | null,
  payload = '{"d":{"n":1},"c":1}',
  expiresAt: Date | number = Date.UTC(2030, 0, 2),
  version = 1,
): SessionRecord {
  const r = record(payload, expiresAt, version)
  if (userId !== null) {
    r.userId = userId
    r.handle = sessionHandle(key)
  }
  return r
}

/** A user id no other test uses (storage may be shared between tests and runs). */
export function newUserId(label = 'user'): string {
  return `${label}-${generateSessionKey().slice(0, 12)}`
}

/**
 * User ids an index must keep apart and store as given: separators, Redis hash-tag braces, glob characters,
 * quotes, prototype names, non-ASCII, the 256-character maximum core allows. Each is made unique with `suffix`.
 */
export function awkwardUserIds(suffix: string): string[] {
  return [
    `a:b:${suffix}`,
    `{tag}${suffix}`,
    `}{${suffix}`,
    `*?[x]${suffix}`,
    `"quoted' ${suffix}`,
    `../${suffix}`,
    `__proto__${suffix}`,
    `Zoë 日本語 🐍 ${suffix}`,
    `${suffix}${'u'.repeat(256 - suffix.length)}`,
  ]
}

/** A fresh session key. */
export const newKey: () => string = generateSessionKey

/** Keys that must never escape an engine's storage (paths, NUL, huge, prototype names). */
export const hostileKeys: readonly string[] = [
  '../x',
  '../../etc/passwd',
  'a/b',
  'a\\b',
  'nul\u0000byte',
  'k'.repeat(4096),
  '__proto__',
  'constructor',
  '',
  '.',
  '..',
]
