/**
 * Micro-benchmark: the Cookie header parser on hostile headers of 64 KB and 640 KB. A linear parser takes about
 * ten times as long for ten times the input; the quadratic one it replaced took about a hundred times as long
 * (19 ms at 64 KB). Prints ms per parse and the 640 KB / 64 KB ratio; asserts nothing.
 *
 *   cd packages/core && npx tsx bench/cookie-parse.ts [rounds]
 */
import { readCookie, readSessionCookie } from '../src/cookie.js'

const rounds = Number(process.argv[2] ?? 5)
const shapes: Record<string, (n: number) => string> = {
  'run of ";"': (n) => ';'.repeat(n),
  '"x;" segments': (n) => 'x;'.repeat(n / 2),
  '"a=;" segments': (n) => 'a=;'.repeat(Math.floor(n / 3)),
}

function msPerParse(header: string): number {
  let best = Number.POSITIVE_INFINITY
  for (let round = 0; round < rounds; round++) {
    const start = performance.now()
    let n = 0
    while (performance.now() - start < 200) {
      readCookie(header, 'sessionid')
      readSessionCookie(header, 'sessionid', true)
      n++
    }
    best = Math.min(best, (performance.now() - start) / n)
  }
  return best
}

for (const [label, make] of Object.entries(shapes)) {
  const small = msPerParse(make(64 * 1024))
  const large = msPerParse(make(640 * 1024))
  console.log(`${label.padEnd(16)} 64 KB ${small.toFixed(3)} ms   640 KB ${large.toFixed(3)} ms   ratio ${(large / small).toFixed(1)}`)
}
