import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { LoadResult, LoadSpec } from './types.js'

export type { LoadResult, LoadSpec } from './types.js'

/** Which load generator to use: wrk when installed (as the reference harness), else autocannon. */
export function pickLoadgen(choice: string): 'wrk' | 'autocannon' {
  if (choice === 'wrk' || choice === 'autocannon') return choice
  return spawnSync('wrk', ['--version'], { stdio: 'ignore' }).error ? 'autocannon' : 'wrk'
}

/** Runs the load in a separate process and returns what it measured. */
export function runLoad(tool: 'wrk' | 'autocannon', spec: LoadSpec): Promise<LoadResult> {
  return tool === 'wrk' ? runWrk(spec) : runAutocannon(spec)
}

function collect(cmd: string, args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d))
    child.stderr.on('data', (d: Buffer) => (err += d))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${err || out}`))))
  })
}

const benchDir = fileURLToPath(new URL('../..', import.meta.url))

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const script = fileURLToPath(new URL('./autocannon-child.ts', import.meta.url))
  const out = await collect(process.execPath, ['--import', 'tsx', script, JSON.stringify(spec)], benchDir)
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult
}

/**
 * wrk with one thread per connection: a Lua `setup` hands each thread (hence each connection) its own
 * Cookie header, and the request is formatted once per thread.
 */
async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sess-bench-wrk-'))
  const url = new URL(spec.url)
  const lua = `
local cookies = { ${spec.cookies.map((c) => JSON.stringify(c)).join(', ')} }
local n = 0
function setup(thread)
  n = n + 1
  if #cookies > 0 then thread:set("cookie", cookies[((n - 1) % #cookies) + 1]) end
end
function init(args)
  if cookie ~= nil then
    req = wrk.format("GET", ${JSON.stringify(url.pathname)}, { ["Cookie"] = cookie })
  else
    req = wrk.format("GET", ${JSON.stringify(url.pathname)})
  end
end
function request()
  return req
end
`
  const script = join(dir, 'cookies.lua')
  writeFileSync(script, lua)
  try {
    const out = await collect('wrk', [
      '-t',
      String(spec.connections),
      '-c',
      String(spec.connections),
      '-d',
      `${spec.durationS}s`,
      '--timeout',
      '10s',
      '--latency',
      '-s',
      script,
      spec.url,
    ])
    return parseWrk(out)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const toMs = (value: string, unit: string): number =>
  Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1)

/** Parses wrk 4's text report. */
export function parseWrk(out: string): LoadResult {
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out)
    return m ? toMs(m[1]!, m[2]!) : NaN
  }
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out)
  if (!total) throw new Error(`cannot parse wrk output:\n${out}`)
  const requests = Number(total[1])
  const durationS = toMs(total[2]!, total[3]!) / 1000
  const max = /Latency\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s|m)/.exec(out)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out)
  return {
    tool: 'wrk',
    requests,
    durationS,
    rps: requests / durationS,
    p50Ms: pct('50'),
    p99Ms: pct('99'),
    maxMs: max ? toMs(max[1]!, max[2]!) : NaN,
    errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx: non2xx ? Number(non2xx[1]) : 0,
  }
}
