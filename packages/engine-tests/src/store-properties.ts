import type { Session, SessionsOptions } from '@sess/core'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CookieJar } from './cookie-jar.js'
import type { Harness } from './harness.js'

type Data = Record<string, unknown>

/** The keys the model uses; parallel requests split them so each owns its own (2 or 3 branches divide 6). */
const POOL = ['a', 'b', 'c', 'd', 'e', 'f'] as const
const value = fc.oneof(fc.integer(), fc.string({ maxLength: 8 }), fc.array(fc.integer({ min: -5, max: 5 }), { maxLength: 3 }), fc.boolean())

/** One data operation of a request. */
type Op =
  | { op: 'set'; key: number; value: unknown }
  | { op: 'delete'; key: number }
  | { op: 'pop'; key: number }
  | { op: 'get'; key: number }
  | { op: 'setDefault'; key: number; value: unknown }
  | { op: 'clear' }
  | { op: 'flush' }
  | { op: 'cycleKey' }

const keyIndex = fc.nat({ max: 5 })
const dataOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('set' as const), key: keyIndex, value }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), key: keyIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('pop' as const), key: keyIndex }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('get' as const), key: keyIndex }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('setDefault' as const), key: keyIndex, value }) },
)
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 10, arbitrary: dataOp },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'cycleKey' as const }) },
)
/** A request: a list of operations, or (parallel) 2–3 requests loaded together, each on its own keys. */
type Step = { kind: 'request'; ops: Op[]; status: 200 | 500 } | { kind: 'parallel'; branches: Op[][] }
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      ops: fc.array(anyOp, { minLength: 1, maxLength: 5 }),
      status: fc.constantFrom(200 as const, 200 as const, 200 as const, 500 as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 2, max: 3 })
      .chain((n) => fc.array(fc.array(dataOp, { minLength: 1, maxLength: 4 }), { minLength: n, maxLength: n }))
      .map((branches) => ({ kind: 'parallel' as const, branches })),
  },
)

/** Branch `i` of `n` owns the pool keys whose index is `i` modulo `n`. */
const ownKey = (index: number, branch: number, n: number): string => POOL[(index * n + branch) % POOL.length]!

/** Runs `ops` on `session` and on the model view at once; the session's answers must be the model's. */
async function apply(session: Session<Data>, view: Map<string, unknown>, ops: Op[], key: (i: number) => string): Promise<void> {
  for (const o of ops) {
    switch (o.op) {
      case 'set':
        await session.set(key(o.key), o.value)
        view.set(key(o.key), o.value)
        break
      case 'delete':
        expect(await session.delete(key(o.key))).toBe(view.delete(key(o.key)))
        break
      case 'pop': {
        const k = key(o.key)
        expect(await session.pop(k, 'none')).toEqual(view.has(k) ? view.get(k) : 'none')
        view.delete(k)
        break
      }
      case 'get':
        expect(await session.get(key(o.key))).toEqual(view.get(key(o.key)))
        break
      case 'setDefault': {
        const k = key(o.key)
        if (!view.has(k)) view.set(k, o.value)
        expect(await session.setDefault(k, o.value)).toEqual(view.get(k))
        break
      }
      case 'clear':
        await session.clear()
        view.clear()
        break
      case 'flush':
        await session.flush()
        view.clear()
        break
      case 'cycleKey':
        await session.cycleKey()
        break
    }
  }
}

const sorted = (entries: Iterable<[string, unknown]>) => Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : 1)))

/**
 * Property-based cases of the store suite (fast-check): arbitrary Cookie headers and cookie values never make
 * the store throw, and a random sequence of requests (including parallel ones) matches a plain Map.
 */
export function describeStoreProperties(harness: (options?: Partial<SessionsOptions>) => Promise<Harness<Data>>, cookieName: string): void {
  describe('properties (fast-check)', () => {
    it('load() of an arbitrary Cookie header never throws and finds no session', async () => {
      const h = await harness()
      const pair = fc.tuple(
        fc.oneof(
          fc.constantFrom(cookieName, `\u00a0${cookieName}`, ` ${cookieName}`, '__proto__', 'hasOwnProperty', 'constructor'),
          fc.string(),
        ),
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z0-9]{30,34}$/)),
      )
      const header = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc
          .array(pair, { maxLength: 6 })
          .chain((pairs) => fc.constantFrom('; ', ';', ';;', ' ; ', ',').map((sep) => pairs.map(([n, v]) => `${n}=${v}`).join(sep))),
      )
      await fc.assert(
        fc.asyncProperty(header, async (cookieHeader) => {
          const session = h.sessions.load(cookieHeader)
          expect(await session.get('user')).toBeUndefined()
          expect(session.isEmpty()).toBe(true)
          const headers = await h.sessions.commit(session)
          expect(headers.setCookie.every((c) => !c.startsWith(`${cookieName}=`) || c.startsWith(`${cookieName}=;`))).toBe(true)
        }),
        { numRuns: 150 },
      )
    })

    it("the store's load() of an arbitrary cookie value never throws and finds nothing", async () => {
      const h = await harness()
      const now = h.clock.now()
      const cookieValue = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        fc.stringMatching(/^[a-z0-9]{32}$/),
        fc.stringMatching(/^Fe26\.2\*[A-Za-z0-9*_-]{0,120}$/),
      )
      await fc.assert(
        fc.asyncProperty(cookieValue, async (v) => {
          expect(await h.store.load(v, now)).toBeNull()
        }),
        { numRuns: 100 },
      )
    })

    it('a random sequence of requests (sequential and parallel) keeps exactly what a plain Map keeps', async () => {
      const h = await harness()
      const parallel = h.store.revocable // cookie-only stores cannot merge parallel requests: each cookie is a whole copy
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), async (steps) => {
          const jar = new CookieJar()
          const model = new Map<string, unknown>()
          for (const s of steps) {
            const current = jar.get(cookieName)
            // Parallel requests merge only into a live session; with no (or a dead) cookie each would start its own.
            if (s.kind === 'parallel' && parallel && current !== undefined && (await h.sessions.exists(current))) {
              const header = jar.header()
              const n = s.branches.length
              const loaded = s.branches.map(() => h.sessions.load(header))
              await Promise.all(loaded.map((session) => session.keys()))
              const changed = await Promise.all(
                s.branches.map(async (ops, b) => {
                  const view = new Map(model)
                  await apply(loaded[b]!, view, ops, (i) => ownKey(i, b, n))
                  return { view, owned: POOL.filter((_, i) => i % n === b) }
                }),
              )
              const results = await Promise.all(loaded.map((session) => h.sessions.commit(session)))
              for (const r of results) jar.apply(r.setCookie)
              for (const { view, owned } of changed) {
                for (const k of owned) {
                  if (view.has(k)) model.set(k, view.get(k))
                  else model.delete(k)
                }
              }
            } else {
              const ops = s.kind === 'request' ? s.ops : s.branches.flatMap((ops, b) => ops.map((o) => ({ o, b, n: s.branches.length })))
              const status = s.kind === 'request' ? s.status : 200
              const view = new Map(model)
              const session = h.sessions.load(jar.header())
              if (s.kind === 'request') await apply(session, view, s.ops, (i) => POOL[i]!)
              else
                for (const { o, b, n } of ops as Array<{ o: Op; b: number; n: number }>)
                  await apply(session, view, [o], (i) => ownKey(i, b, n))
              jar.apply((await h.sessions.commit(session, { status })).setCookie)
              if (status < 500) {
                model.clear()
                for (const [k, v] of view) model.set(k, v)
              } else if (s.kind === 'request' && s.ops.some((o) => o.op === 'flush') && (h.store.revocable || view.size === 0)) {
                // flush() destroys a stored session at once, whatever the status. A cookie store has nothing to destroy:
                // its cookie is removed on a 5xx only when the session ends empty (otherwise nothing is sent at all).
                model.clear()
              }
            }
            const check = h.sessions.load(jar.header())
            expect(sorted(await check.entries())).toEqual(sorted(model))
          }
        }),
        { numRuns: Number(process.env.SESS_PROPERTY_RUNS ?? 25) },
      )
    })
  })
}
