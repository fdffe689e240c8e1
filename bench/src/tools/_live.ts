import { createServer } from 'node:http'
import { spawn } from 'node:child_process'
import { Session as Inspector } from 'node:inspector/promises'
import { findCase } from '../cases/index.js'
import { toolCookies } from './cookies.js'
const id = process.argv[2] ?? 'sess-koa-memory'
const app = await findCase(id)!.create({ dataDir: '/tmp', secret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz' } as any)
const server = createServer(app.listener)
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
const port = (server.address() as any).port
const cookies = await toolCookies(port)
const ins = new Inspector(); ins.connect()
await ins.post('HeapProfiler.enable')
await ins.post('HeapProfiler.startSampling', { samplingInterval: 128, includeObjectsCollectedByMajorGC: true } as any)
const lua = `/tmp/c.lua`
;(await import('node:fs')).writeFileSync(lua, `wrk.headers["Cookie"] = "${cookies[0]}"`)
await new Promise((r) => spawn('wrk', ['-t1', '-c10', '-d4s', '-s', lua, `http://127.0.0.1:${port}/hit`], { stdio: 'ignore' }).on('exit', r))
const { profile } = (await ins.post('HeapProfiler.getSamplingProfile')) as any
const by = new Map<string, number>()
const walk = (n: any, stack: string[]) => { const f = n.callFrame; const name = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/(node_modules|\.build|packages)\//, '$1/')}:${f.lineNumber + 1}`; const st = [name, ...stack].slice(0, 3); if (n.selfSize) by.set(st.join(' < '), (by.get(st.join(' < ')) ?? 0) + n.selfSize); for (const c of n.children) walk(c, st) }
walk(profile.head, [])
const total = [...by.values()].reduce((a, b) => a + b, 0)
console.log(`live sampled: ${(total / 2 ** 20).toFixed(1)} MB`)
for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(v / 1024).toFixed(0).padStart(7)} KB  ${k}`)
server.closeAllConnections(); server.close(); process.exit(0)
