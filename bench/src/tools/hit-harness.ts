/**
 * The in-process requests the tools `alloc-per-hit.ts` and `hit-cost.ts` measure: @sess/core + @sess/memory (loaded
 * from bench/.build), ten sessions made up front, and batches of ten parallel requests — all on the first session's
 * cookie (`shared`), one session each (`distinct`), or loading and committing without touching the data (`noop`).
 */
import { importExports } from '../sess.js'

/** Which requests a batch makes. */
export type HitMode = 'shared' | 'distinct' | 'noop'

interface SessionLike {
  get(key: string, fallback?: unknown): Promise<any>
  set(key: string, value: unknown): Promise<void>
}
interface SessionsLike {
  load(cookie: string | undefined): SessionLike
  commit(session: SessionLike, options: { status: number; final: boolean }): unknown
}

const FINAL = { status: 200, final: true }

/** Makes the sessions and returns `batches(n)`, which runs `n` batches of ten parallel requests one after another. */
export async function hitHarness(mode: HitMode): Promise<(n: number) => Promise<void>> {
  const { createSessions } = await importExports('@sess/core', ['createSessions'])
  const { memoryEngine } = await importExports('@sess/memory', ['memoryEngine'])
  const sessions = createSessions({ engine: memoryEngine() }) as unknown as SessionsLike
  const cookies: string[] = []
  for (let i = 0; i < 10; i++) {
    const s = sessions.load(undefined)
    await s.set('count', 0)
    const { setCookie } = (await sessions.commit(s, FINAL)) as { setCookie: string[] }
    cookies.push(setCookie.map((c) => c.split(';', 1)[0]).join('; '))
  }
  /** One request: load, read, write, commit (or only load and commit for `noop`). */
  const request = async (cookie: string): Promise<void> => {
    const s = sessions.load(cookie)
    if (mode !== 'noop') await s.set('count', (await s.get('count', 0)) + 1)
    await sessions.commit(s, FINAL)
  }
  return async (n) => {
    for (let b = 0; b < n; b++) {
      const all: Array<Promise<void>> = []
      for (let j = 0; j < 10; j++) all.push(request(mode === 'distinct' ? cookies[j]! : cookies[0]!))
      await Promise.all(all)
    }
  }
}
