/** The deepest nesting the rich serializer stores or revives (values inside values). */
export const MAX_RICH_DEPTH = 1000

const HOLE = -2
const SPARSE = -7
/** devalue tags whose entries hold no references to other entries. */
const LEAF_TAGS = new Set(['Date', 'RegExp', 'BigInt', 'ArrayBuffer', 'URL', 'URLSearchParams'])
/** devalue tags whose entry references one other entry at position 1 (boxed primitives, views, custom types). */
const LIST_TAGS = new Set(['Set', 'Map'])

/**
 * Why a devalue payload is nested deeper than `limit`, or `undefined`. devalue revives recursively, so a
 * hostile payload (a long chain of references) would overflow the stack; this walks the same references in
 * the same order without recursion and refuses the payload first. A payload of at most `2 × limit` characters
 * has at most `limit` entries, so it cannot be deeper: short payloads are not parsed twice.
 */
export function richDepthProblem(text: string, limit: number): string | undefined {
  if (text.length <= 2 * limit) return undefined
  let values: unknown
  try {
    values = JSON.parse(text)
  } catch {
    return undefined // not JSON: devalue reports it
  }
  if (!Array.isArray(values)) return undefined
  const visited = new Uint8Array(values.length)
  const nodes: number[] = []
  const positions: number[] = []
  const enter = (index: unknown): boolean => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= values.length || visited[index]) return true
    visited[index] = 1
    if (nodes.length >= limit) return false
    nodes.push(index)
    positions.push(0)
    return true
  }
  if (!enter(0)) return tooDeep(limit)
  while (nodes.length > 0) {
    const top = nodes.length - 1
    const child = nextChild(values[nodes[top]!], positions, top)
    if (child === DONE) {
      nodes.pop()
      positions.pop()
    } else if (!enter(child)) return tooDeep(limit)
  }
  return undefined
}

const DONE = Symbol('done')

/** The next referenced entry of `entry` after `positions[top]`, advancing it; {@link DONE} when there is none. */
function nextChild(entry: unknown, positions: number[], top: number): unknown {
  if (typeof entry !== 'object' || entry === null) return DONE
  if (!Array.isArray(entry)) {
    const keys = Object.keys(entry)
    const at = positions[top]!
    if (at >= keys.length) return DONE
    positions[top] = at + 1
    return (entry as Record<string, unknown>)[keys[at]!]
  }
  let at = positions[top]!
  const tag = entry[0]
  let step = 1
  if (typeof tag === 'string') {
    if (LEAF_TAGS.has(tag) || tag.startsWith('Temporal.')) return DONE
    if (LIST_TAGS.has(tag)) at = Math.max(at, 1)
    else if (tag === 'null') {
      at = Math.max(at, 2)
      step = 2
    } else {
      if (at > 1) return DONE
      at = 1
    }
  } else if (tag === SPARSE) {
    at = Math.max(at, 3)
    step = 2
  }
  while (at < entry.length && entry[at] === HOLE) at += step
  if (at >= entry.length) return DONE
  positions[top] = at + step
  return entry[at]
}

function tooDeep(limit: number): string {
  return `it is nested too deeply (more than ${limit} levels)`
}
