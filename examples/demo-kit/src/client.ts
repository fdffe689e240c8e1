import { sessionHandle } from '@sess/core/engine'
import { expect } from 'vitest'
import type { SessionView } from './data.js'

/** A new visitor's `GET /api/session`: nothing stored, nobody signed in. */
export const ANONYMOUS: SessionView = { handle: null, user: null, data: {}, expiresAt: null, expireAtBrowserClose: false }

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

/**
 * What a group of visitors saw: every cookie value the server set and every body it answered, to prove that no
 * body ever holds a session key (its own or another visitor's — a device list naming the other devices by key
 * would leak them).
 */
export class KeyWatch {
  readonly #keys = new Set<string>()
  readonly #bodies: string[] = []

  /** Records a cookie value the server set (a session key, for the `sessionid` cookie). */
  sawCookie(value: string): void {
    if (value !== '') this.#keys.add(value)
  }

  /** Records a response body. */
  sawBody(text: string): void {
    this.#bodies.push(text)
  }

  /** How many cookie values and bodies were seen (so a test can show the check had something to check). */
  get seen(): { keys: number; bodies: number } {
    return { keys: this.#keys.size, bodies: this.#bodies.length }
  }

  /** The keys that some body contained: `[]` when none leaked. */
  leaks(): string[] {
    return [...this.#keys].filter((key) => this.#bodies.some((body) => body.includes(key)))
  }
}

/** Options of a {@link DemoClient}. */
export interface DemoClientOptions {
  /** The `User-Agent` it sends (the device list shows it). Default: fetch's own. */
  userAgent?: string
  /** Where it records cookies and bodies; clients that share one are checked together. Default: its own. */
  watch?: KeyWatch
}

/** One visitor, browser-ish: keeps the cookies a browser would (one host, one path), JSON in and out. */
export class DemoClient {
  cookies = new Map<string, string>()
  readonly watch: KeyWatch
  readonly userAgent: string | undefined

  /** @param base - the demo's URL, e.g. `http://127.0.0.1:41234`. */
  constructor(
    readonly base: string,
    options: DemoClientOptions = {},
  ) {
    this.watch = options.watch ?? new KeyWatch()
    this.userAgent = options.userAgent
  }

  /**
   * Sends a request with the cookies, keeps the ones set (and drops the expired).
   * @param body - sent as JSON with `content-type: application/json`.
   * @param raw - sent as is instead, with its own content type.
   */
  async call(method: string, path: string, body?: unknown, raw?: { body: string; type: string }): Promise<DemoResponse> {
    const headers: Record<string, string> = {}
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    if (this.userAgent !== undefined) headers['user-agent'] = this.userAgent
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
      this.watch.sawCookie(pair.slice(eq + 1))
      if (/;\s*Max-Age=0\b/i.test(line)) this.cookies.delete(pair.slice(0, eq))
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1))
    }
    const text = await response.text()
    this.watch.sawBody(text)
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

  /** The handle of that key: what the server may show of it. */
  get handle(): string | undefined {
    const key = this.key
    return key === undefined ? undefined : sessionHandle(key)
  }

  /** Another visitor with a copy of these cookies (a second tab, or a stolen cookie), watched together with this one. */
  clone(): DemoClient {
    const copy = new DemoClient(this.base, { watch: this.watch, ...(this.userAgent === undefined ? {} : { userAgent: this.userAgent }) })
    copy.cookies = new Map(this.cookies)
    return copy
  }
}
