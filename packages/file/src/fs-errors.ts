/** The `code` of a Node.js system error (`ENOENT`, `EEXIST`…), or `undefined`. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

/** Runs `action`, treating "no such file" as success. */
export async function ignoreMissing<T>(action: Promise<T>): Promise<T | undefined> {
  try {
    return await action
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}
