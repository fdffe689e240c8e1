/** What the runner asks a load generator for. */
export interface LoadSpec {
  url: string
  /** One Cookie header value per connection (cycled), or none. */
  cookies: string[]
  connections: number
  durationS: number
}

/** What a load generator measured (closed loop, keep-alive). */
export interface LoadResult {
  tool: string
  requests: number
  durationS: number
  rps: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  errors: number
  non2xx: number
}
