import { expect } from 'vitest'
import type { SessionView } from './data.js'

/** What {@link DemoClient.call} answers. */
export interface DemoResponse {
  status: number
  text: string
  /** The parsed body when the response is JSON, else `undefined`. `any`: tests read fields freely. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read the JSON body's fields freely
  json: any
  setCookie: string[]
  headers: Headers
  vary: string | null
}

/** One visitor, browser-ish: keeps the cookies a browser would (one host, one path), JSON in and out. */
export class DemoClient {
  cookies = new Map<string, string>()
  /** @param base - the demo's URL, e.g. `http://127.0.0.1:41234`. */
  constructor(readonly base: string) {}

  /**
   * Sends a request with the cookies, keeps the ones set (and drops the expired).
   * @param body - sent as JSON with `content-type: application/json`.
   * @param raw - sent as is instead, with its own content type.
   */
  async call(method: string, path: string, body?: unknown, raw?: { body: string; type: string }): Promise<DemoResponse> {
    const headers: Record<string, string> = {}
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    let payload: string | undefined
    if (raw) {
      headers['content-type'] = raw.type
      payload = raw.body
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    const response = await fetch(this.base + path, { method, headers, ...(payload === undefined ? {} : { body: payload }) })
    const setCookie = response.headers.getSetCookie()
    for (const line of setCookie) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      if (/;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(pair.slice(0, eq))
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const text = await response.text()
    const json: unknown = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined
    return { status: response.status, text, json, setCookie, headers: response.headers, vary: response.headers.get('vary') }
  }

  /** `GET /api/session`, which must answer 200. */
  async session(): Promise<SessionView> {
    const { status, json } = await this.call('GET', '/api/session')
    expect(status).toBe(200)
    return json as SessionView
  }

  /** The session key the cookie carries. */
  get key(): string | undefined {
    return this.cookies.get('sessionid')
  }

  /** Another visitor with a copy of these cookies (a second tab, or a stolen cookie). */
  clone(): DemoClient {
    const copy = new DemoClient(this.base)
    copy.cookies = new Map(this.cookies)
    return copy
  }
}
