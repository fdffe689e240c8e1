import { generateSessionKey, type SessionRecord } from '@sess/core/engine'

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
