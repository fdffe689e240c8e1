/**
 * The Cookie headers of 10 connections for the tools: one session per connection (a `GET /hit` without cookie each),
 * or with `SHARED=1` one session's cookie on all of them. A bare case sets no cookie: it gets one of the same shape.
 */
export async function toolCookies(port: number): Promise<string[]> {
  const made: string[] = []
  for (let i = 0; i < (process.env.SHARED === '1' ? 1 : 10); i++) {
    const r = await fetch(`http://127.0.0.1:${port}/hit`)
    await r.text()
    made.push(
      r.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ') || `sessionid=${'x'.repeat(32)}`,
    )
  }
  return Array.from({ length: 10 }, (_, i) => made[i % made.length]!)
}
