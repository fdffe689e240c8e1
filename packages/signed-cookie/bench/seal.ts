/**
 * Micro-benchmark: one seal + one unseal of a typical session record (what a request that writes the session
 * costs), for both implementations of the iron seal, through the store (`cookieValue` + `load`), plus plain
 * iron-webcrypto and its pre-derived-key mode for reference. Prints µs per pair and pairs/s; asserts nothing.
 *
 *   cd packages/signed-cookie && npx tsx --conditions=@sess/source bench/seal.ts [rounds] [ms per round]
 */
import { defaults, seal, unseal } from 'iron-webcrypto'
import { signedCookie as webCookie } from '../src/index.js'
import { signedCookie as nodeCookie } from '../src/node.js'

const rounds = Number(process.argv[2] ?? 5)
const roundMs = Number(process.argv[3] ?? 500)
const password = 'bench-password-that-is-at-least-32-characters-long'
const key = 'abcdefghijklmnopqrstuvwxyz012345'
const payload = JSON.stringify({
  d: { user: 'ada', cart: ['book', 'pen', 'lamp'], count: 1, theme: 'dark', csrf: 'x'.repeat(64) },
  c: 1_893_456_000_000,
})
const record = { payload, expiresAt: new Date(Date.UTC(2030, 0, 15)), version: 1 }
const now = new Date(Date.UTC(2030, 0, 1))
const plaintext = JSON.stringify({ v: 1, k: key, e: record.expiresAt.getTime(), n: 1, p: payload })
const rawKey = crypto.getRandomValues(new Uint8Array(32))
const options = { ...defaults, encode: (t: unknown) => t as string, decode: (t: string) => t }

const node = nodeCookie({ secrets: [{ id: 'k1', password }] })
const web = webCookie({ secrets: [{ id: 'k1', password }] })

const cases: Record<string, () => Promise<unknown> | unknown> = {
  'store, node:crypto (the `node` condition)': async () => node.load(await node.cookieValue(key, record), now),
  'store, iron-webcrypto (every other runtime)': async () => web.load(await web.cookieValue(key, record), now),
  'plain iron-webcrypto, password (PBKDF2 per seal)': async () =>
    unseal(await seal(plaintext, { id: 'k1', secret: password }, options), { k1: password }, options),
  'plain iron-webcrypto, 32-byte key (no PBKDF2)': async () =>
    unseal(await seal(plaintext, { id: 'k1', secret: rawKey }, options), { k1: rawKey }, options),
}

async function round(run: () => Promise<unknown> | unknown, ms: number): Promise<number> {
  const deadline = performance.now() + ms
  let pairs = 0
  while (performance.now() < deadline) {
    for (let i = 0; i < 20; i++) await run()
    pairs += 20
  }
  return pairs
}

const sample = await node.cookieValue(key, record)
console.log(
  `seal + unseal of a ${payload.length}-byte payload (cookie ${sample.length} bytes), ${rounds} rounds of ${roundMs} ms, best round`,
)
const results: Record<string, number> = {}
for (const [name, run] of Object.entries(cases)) {
  await round(run, 200) // warm-up
  let best = 0
  for (let r = 0; r < rounds; r++) best = Math.max(best, (await round(run, roundMs)) / (roundMs / 1000))
  results[name] = best
  console.log(`${name.padEnd(52)} ${(1e6 / best).toFixed(1).padStart(8)} µs/pair ${Math.round(best).toString().padStart(8)} pairs/s`)
}
const [nodeRate, webRate] = Object.values(results) as [number, number]
console.log(`node:crypto is ${(nodeRate / webRate).toFixed(1)}× iron-webcrypto on this machine`)
