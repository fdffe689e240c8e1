/** An instant as ISO 8601 in UTC to the second (`2025-06-01T12:00:00Z`); `-` for none. */
export function formatDate(date: Date | null | undefined): string {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) return '-'
  return `${date.toISOString().slice(0, 19)}Z`
}

/** An instant for JSON output: ISO 8601 with milliseconds, or `null`. */
export function jsonDate(date: Date | null | undefined): string | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null
}

// Control characters, and the Unicode ones that reorder or hide text (bidi overrides, zero-width, separators).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g')
const PLAIN = /^[^\s"'=\\]+$/

/**
 * A value from the store (metadata the app took from a request: a user agent, an address) made safe for a
 * terminal: anything but a plain word is quoted, and control or reordering characters are escaped (`\u001b`),
 * so a crafted user agent cannot move the cursor, recolour or rewrite the operator's screen.
 */
export function safeText(value: unknown): string {
  if (typeof value === 'string' && PLAIN.test(value) && !UNSAFE.test(value)) return value
  const json = JSON.stringify(value) ?? String(value)
  return json.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Metadata as `key=value` pairs separated by spaces (`-` when empty), every part through {@link safeText}. */
export function formatMetadata(metadata: Record<string, unknown> | null | undefined): string {
  const entries = Object.entries(metadata ?? {})
  if (entries.length === 0) return '-'
  return entries.map(([key, value]) => `${safeText(key)}=${safeText(value)}`).join(' ')
}

/** Rows under a header, columns padded to their widest cell and two spaces apart; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** `label  value` lines with the labels padded to one width. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const width = Math.max(...pairs.map(([label]) => label.length))
  return pairs.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n')
}

/** `1 session`, `3 sessions`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
