/**
 * In-process A/B of two server cases: both cases' request listeners run in this one process, on Node's real
 * `IncomingMessage`/`ServerResponse` with no socket (so no wrk, no kernel, no second process sharing the cores),
 * in alternating rounds of 3 000 requests (batches of ten parallel ones). Prints each side's median µs per request
 * (this harness's own cost included, the same on both sides) and the median of the rounds' differences. An A/A run
 * (`koa-bare koa-bare`) differs by under 0.1 µs on Koa and Hono; on Express the rounds spread wider.
 *
 * A case written `<case>@<dir>` loads @sess from `<dir>` (a copy of bench/.build): the same case against two
 * builds is the A/B of a code change. Each side gets its own copy of the bench's modules; the frameworks are shared.
 * `SHARED=0` gives every parallel request its own session (default: all on one session's cookie).
 * `ONLY=<batches>` runs case B alone for that many batches and prints its µs per request (for `--cpu-prof`).
 *
 *   npx tsx --import ./src/hooks/register-build.mjs src/tools/in-process.ts <case A>[@dir] <case B>[@dir] [/hit] [rounds=20]
 */
import { IncomingMessage, type RequestListener, ServerResponse } from 'node:http'
import { mkdtempSync } from 'node:fs'
import { Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { ServerCase } from '../cases/types.js'
import { toolEnv } from './tool-server.js'

const [a = '', b = '', path = '/hit', rounds = '20'] = process.argv.slice(2)
const shared = process.env.SHARED !== '0'
const env = toolEnv(mkdtempSync(join(tmpdir(), 'sess-in-process-')))
const build = resolve(new URL('../../.build', import.meta.url).pathname)

interface Side {
  label: string
  listener: RequestListener
  cookies: Array<string | undefined>
}

/** The case's listener, its modules loaded against the build `dir` (the loader's `?sess-build=` tag). */
async function start(spec: string): Promise<Side> {
  const [id = '', dir = build] = spec.split('@')
  const url = new URL(`../cases/index.ts?sess-build=${encodeURIComponent(resolve(dir))}`, import.meta.url)
  const { findCase } = (await import(url.href)) as { findCase(id: string): ServerCase | undefined }
  const found = findCase(id)
  if (found === undefined) throw new Error(`unknown case ${id}`)
  const app = await found.create(env)
  const side: Side = { label: spec, listener: app.listener, cookies: [] }
  for (let i = 0; i < (shared ? 1 : 10); i++) side.cookies.push(cookieOf(await request(side, '/hit', undefined)))
  return side
}

const socket = new Socket()

/** One GET through the listener; settles when the response has ended. */
function request(side: Side, url: string, cookie: string | undefined): Promise<ServerResponse> {
  const req = new IncomingMessage(socket)
  req.method = 'GET'
  req.url = url
  req.httpVersionMajor = 1
  req.httpVersionMinor = 1
  req.httpVersion = '1.1'
  req.headers = cookie === undefined ? { host: 'bench' } : { host: 'bench', cookie }
  req.rawHeaders = cookie === undefined ? ['Host', 'bench'] : ['Host', 'bench', 'Cookie', cookie]
  req.complete = true
  req.push(null)
  const res = new ServerResponse(req)
  return new Promise((done, fail) => {
    res.on('error', fail)
    // No socket: 'finish' never fires, so poll for the end (the same cost on both sides).
    const check = (): void => {
      if (res.writableEnded) done(res)
      else setImmediate(check)
    }
    side.listener(req, res)
    queueMicrotask(check)
  })
}

/** The first cookie a response set, as a `Cookie` header (read from the header block Node built). */
function cookieOf(res: ServerResponse): string | undefined {
  const header = (res as unknown as { _header?: string | null })._header ?? ''
  return /^set-cookie: ([^;\r]+)/im.exec(header)?.[1]
}

async function batches(side: Side, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const parallel: Array<Promise<unknown>> = []
    for (let j = 0; j < 10; j++) parallel.push(request(side, path, side.cookies[j % side.cookies.length]))
    await Promise.all(parallel)
  }
}

/** µs per request of `n` batches. */
async function timed(side: Side, n: number): Promise<number> {
  const t = performance.now()
  await batches(side, n)
  return ((performance.now() - t) * 1000) / (n * 10)
}

const median = (values: number[]): number => [...values].sort((x, y) => x - y)[values.length >> 1]!

if (process.env.ONLY) {
  const side = await start(b)
  await batches(side, 500)
  console.log(`${side.label} ${path}: ${(await timed(side, Number(process.env.ONLY))).toFixed(2)} µs/request`)
  process.exit(0)
}
const A = await start(a)
const B = await start(b)
await batches(A, 500)
await batches(B, 500)
const ta: number[] = []
const tb: number[] = []
const diffs: number[] = []
for (let r = 0; r < Number(rounds); r++) {
  // Alternate which side goes first.
  let x: number
  let y: number
  if (r % 2 === 0) {
    x = await timed(A, 300)
    y = await timed(B, 300)
  } else {
    y = await timed(B, 300)
    x = await timed(A, 300)
  }
  ta.push(x)
  tb.push(y)
  diffs.push(y - x)
}
console.log(
  `${path} (${shared ? 'one session' : 'a session each'}): ${A.label} ${median(ta).toFixed(2)} µs/request, ${B.label} ${median(tb).toFixed(2)} µs/request, B − A median ${median(diffs).toFixed(2)} µs (${diffs.map((d) => d.toFixed(1)).join(' ')})`,
)
process.exit(0)
