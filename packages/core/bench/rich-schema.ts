/**
 * Micro-benchmark: what the rich serializer and schema validation cost per `/hit` (load a ~200-byte session,
 * `get('count')`, `set('count')`, commit) against strict JSON, through `createSessions` over an in-memory
 * store that keeps records as text (no engine cost). Also the bare serializer and validator calls. Prints
 * µs/op; asserts nothing.
 *
 *   cd packages/core && npx tsx --conditions=@sess/source bench/rich-schema.ts [rounds] [ms per round]
 */
import * as v from 'valibot'
import { z } from 'zod'
import { createRichSerializer, richSerializer } from '../src/entry-rich.js'
import type { SessionEngine, SessionRecord } from '../src/engine.js'
import { SessionError } from '../src/errors.js'
import { createSessions, type SessionsOptions } from '../src/sessions.js'
import { jsonSerializer } from '../src/serializer.js'

const rounds = Number(process.argv[2] ?? 5)
const roundMs = Number(process.argv[3] ?? 400)

/** ~200 bytes of session data as strict JSON writes it. */
const data = { user: 'ada', count: 1, theme: 'dark', cart: ['book', 'pen', 'lamp'], csrf: 'x'.repeat(64), flags: { beta: true } }
const envelope = { d: data, c: 1_800_000_000_000 }
const valibotSchema = v.object({
  user: v.optional(v.string()),
  count: v.optional(v.pipe(v.number(), v.integer())),
  theme: v.optional(v.picklist(['dark', 'light'])),
  cart: v.optional(v.array(v.string())),
  csrf: v.optional(v.string()),
  flags: v.optional(v.object({ beta: v.boolean() })),
})
const zodSchema = z.object({
  user: z.string().optional(),
  count: z.number().int().optional(),
  theme: z.enum(['dark', 'light']).optional(),
  cart: z.array(z.string()).optional(),
  csrf: z.string().optional(),
  flags: z.object({ beta: z.boolean() }).optional(),
})

function textEngine(): SessionEngine {
  const records = new Map<string, SessionRecord>()
  return {
    name: 'bench',
    capabilities: { durable: false, touch: false, purge: false },
    read: async (key) => records.get(key) ?? null,
    async create(key, record) {
      records.set(key, record)
    },
    async update(key, record, ifVersion) {
      const current = records.get(key)
      if (!current) throw new SessionError('NOT_FOUND', 'bench', 'gone')
      if (ifVersion !== undefined && current.version !== ifVersion) throw new SessionError('VERSION_CONFLICT', 'bench', 'conflict')
      records.set(key, record)
    },
    destroy: async (key) => void records.delete(key),
  }
}

/** One /hit's session work, as a function of a cookie header. */
async function hitter(options: Partial<SessionsOptions>): Promise<() => Promise<void>> {
  const sessions = createSessions<Record<string, unknown>>({ engine: textEngine(), ...options } as SessionsOptions)
  const first = sessions.load(undefined)
  await first.update(data)
  const { setCookie } = await sessions.commit(first, { final: true })
  const header = setCookie[0]!.split(';')[0]!
  return async () => {
    const session = sessions.load(header)
    const count = ((await session.get('count')) as number) + 1
    await session.set('count', count)
    await sessions.commit(session, { final: true })
  }
}

async function measure(fn: () => unknown): Promise<number> {
  const deadline = performance.now() + roundMs
  let ops = 0
  const start = performance.now()
  while (performance.now() < deadline) {
    for (let i = 0; i < 200; i++) await fn()
    ops += 200
  }
  return ((performance.now() - start) * 1000) / ops
}

const json = jsonSerializer.stringify(envelope)
const rich = richSerializer.stringify(envelope)
const money = createRichSerializer({ types: { Date2: { is: (x): x is Date => false, reduce: () => 0, revive: () => 0 } } })
const cases: Record<string, () => unknown> = {
  'json: stringify + parse (200 B)': () => jsonSerializer.parse(jsonSerializer.stringify(envelope)),
  'rich: stringify + parse (200 B)': () => richSerializer.parse(richSerializer.stringify(envelope)),
  'rich + one registered type: stringify + parse': () => money.parse(money.stringify(envelope)),
  'json: check(value) of one set': () => jsonSerializer.check!(2),
  'rich: check(value) of one set': () => richSerializer.check!(2),
  'valibot: validate the whole data (load)': () => valibotSchema['~standard'].validate(data),
  'valibot: validate one key (set count)': () => valibotSchema.entries.count['~standard'].validate(2),
  'zod: validate the whole data (load)': () => zodSchema['~standard'].validate(data),
  'zod: validate one key (set count)': () => zodSchema.shape.count['~standard'].validate(2),
}
const hits: Record<string, Partial<SessionsOptions>> = {
  '/hit json': {},
  '/hit rich': { serializer: richSerializer },
  '/hit json + valibot': { schema: valibotSchema },
  '/hit json + zod': { schema: zodSchema },
  '/hit rich + valibot': { serializer: richSerializer, schema: valibotSchema },
}
for (const [name, options] of Object.entries(hits)) cases[name] = await hitter(options)

console.log(`payload: ${json.length} B as JSON, ${rich.length} B rich; ${rounds} rounds × ${roundMs} ms; median µs/op`)
const results: Record<string, number[]> = {}
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of Object.entries(cases)) (results[name] ??= []).push(await measure(fn))
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
for (const [name, xs] of Object.entries(results)) console.log(`${name.padEnd(46)} ${median(xs).toFixed(3).padStart(8)} µs`)
const m = (name: string) => median(results[name]!)
console.log(
  `\nrich / json, serializer round trip: ${(m('rich: stringify + parse (200 B)') / m('json: stringify + parse (200 B)')).toFixed(2)}×`,
)
console.log(`rich / json, whole /hit:            ${(m('/hit rich') / m('/hit json')).toFixed(2)}×`)
console.log(`valibot's cost per /hit:            ${(m('/hit json + valibot') - m('/hit json')).toFixed(2)} µs`)
console.log(`zod's cost per /hit:                ${(m('/hit json + zod') - m('/hit json')).toFixed(2)} µs`)
