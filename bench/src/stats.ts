/** Small statistics helpers. */

/** The median of the finite numbers in `values`, or `undefined` when there are none. */
export function median(values: ReadonlyArray<number | undefined | null>): number | undefined {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b)
  if (xs.length === 0) return undefined
  const mid = xs.length >> 1
  return xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1]! + xs[mid]!) / 2
}

/** The mean of the finite numbers in `values`, or `undefined`. */
export function mean(values: ReadonlyArray<number | undefined | null>): number | undefined {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length
}

/** min and max of the finite numbers, or `undefined`. */
export function range(values: ReadonlyArray<number | undefined | null>): [number, number] | undefined {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v))
  return xs.length === 0 ? undefined : [Math.min(...xs), Math.max(...xs)]
}
