/** Written by {@link flatString} so the compiler cannot drop the character read as unused. */
// biome-ignore lint/correctness/noUnusedVariables: written on purpose, never read
let sink = 0

/**
 * `text`, joined into one piece. V8 keeps a string built by concatenation as a tree of its parts — `JSON.stringify`
 * builds its output in 32-character parts, so a core payload of 33 characters or more arrives as 3 objects (104 bytes
 * for a 35-character payload instead of 56). Reading a character joins such a string in place, and the next
 * young-generation collection points every holder at the joined text and drops the parts. About 20 ns for a small
 * payload; nothing for a string already flat.
 */
export function flatString(text: string): string {
  sink ^= text.charCodeAt(0) | 0
  return text
}
