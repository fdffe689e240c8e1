import { describe, expect, it } from 'vitest'
import { createSessions } from './sessions.js'
import { indexedTestEngine } from './test-indexed-engine.js'

/**
 * Data calls issued one after another without awaiting each apply in the order they were made, whatever state the
 * data is in when they are made: never read, still loading, or loaded. (The hot path answers some calls without a
 * suspended frame; none of them may overtake an earlier call.)
 */
describe('data calls made without awaiting apply in program order', () => {
  const FINAL = { status: 200, final: true }

  async function storedCookie(sessions: ReturnType<typeof createSessions>): Promise<string> {
    const s = sessions.load(undefined)
    await s.set('seed', 0)
    const { setCookie } = await sessions.commit(s, FINAL)
    return setCookie[0]!.split(';', 1)[0]!
  }

  /** The mix of calls: two sets, a delete of the first, a set of it again, a setDefault, a modify, a pop. */
  function burst(s: ReturnType<ReturnType<typeof createSessions>['load']>): Promise<unknown[]> {
    return Promise.all([
      s.set('a', 1),
      s.set('b', 2),
      s.delete('a'),
      s.set('a', 3),
      s.setDefault('c', 4),
      s.modify('b', (n) => (n as number) * 10),
      s.set('d', 5),
      s.pop('d'),
      s.set('e', 6),
    ])
  }

  const expected = { b: 20, a: 3, c: 4, e: 6 }

  it('on a new session (no cookie: the data is there at once)', async () => {
    const sessions = createSessions({ engine: indexedTestEngine() })
    const s = sessions.load(undefined)
    await burst(s)
    expect(Object.fromEntries(await s.entries())).toEqual(expected)
    expect(await s.keys()).toEqual(['b', 'a', 'c', 'e'])
  })

  it('on a stored session whose data is still loading', async () => {
    const sessions = createSessions({ engine: indexedTestEngine() })
    const s = sessions.load(await storedCookie(sessions))
    await burst(s)
    expect(Object.fromEntries(await s.entries())).toEqual({ seed: 0, ...expected })
    expect(await s.keys()).toEqual(['seed', 'b', 'a', 'c', 'e'])
  })

  it('on a stored session already loaded, and the values reach the store in that order', async () => {
    const engine = indexedTestEngine()
    const sessions = createSessions({ engine })
    const cookie = await storedCookie(sessions)
    const s = sessions.load(cookie)
    expect(await s.get('seed')).toBe(0) // loaded
    await burst(s)
    await sessions.commit(s, FINAL)
    const again = sessions.load(cookie)
    expect(Object.fromEntries(await again.entries())).toEqual({ seed: 0, ...expected })
    expect(await again.keys()).toEqual(['seed', 'b', 'a', 'c', 'e'])
  })

  it('a call made after the load, while calls made during it have not run yet, goes behind them', async () => {
    // Calls on loaded data run at once (no extra turn); those made during the load run in the load's reactions. A
    // call made in between — the data just loaded, the earlier calls' reactions still queued — must not overtake
    // them. Every distance (in microtask turns) from the end of the load is tried.
    for (let turns = 0; turns < 8; turns++) {
      const engine = indexedTestEngine()
      const sessions = createSessions({ engine })
      const cookie = await storedCookie(sessions)
      let open!: () => void
      const gate = new Promise<void>((resolve) => {
        open = resolve
      })
      const read = engine.read.bind(engine)
      engine.read = async (key, now) => {
        await gate
        return read(key, now)
      }
      const s = sessions.load(cookie)
      const first = s.set('a', 1) // waits for the load
      const later = gate.then(async () => {
        for (let i = 0; i < turns; i++) await null
        await Promise.all([s.set('a', 2), s.modify('n', (n) => ((n as number | undefined) ?? 0) + 1)])
      })
      const firstModify = s.modify('n', () => 10) // waits for the load, made before the later calls
      open()
      await Promise.all([first, later, firstModify])
      expect([turns, await s.get('a'), await s.get('n')]).toEqual([turns, 2, 11])
    }
  })

  it('a write on loaded data that is not awaited before the commit is in the commit, never silently dropped', async () => {
    const engine = indexedTestEngine()
    const sessions = createSessions({ engine })
    const cookie = await storedCookie(sessions)
    const s = sessions.load(cookie)
    expect(await s.get('seed')).toBe(0) // loaded
    const written = s.set('x', 1) // not awaited: the commit starts right after the call
    const modified = s.modify('seed', (n) => (n as number) + 1)
    const { setCookie } = await sessions.commit(s, FINAL)
    await Promise.all([written, modified])
    expect(setCookie).toHaveLength(1)
    const again = sessions.load(cookie)
    expect(Object.fromEntries(await again.entries())).toEqual({ seed: 1, x: 1 })
  })
})
