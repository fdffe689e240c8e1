import type { RequestListener } from 'node:http'

/** The frameworks a server case runs on. */
export type Group = 'express' | 'koa' | 'hono' | 'fastify'

/** What a server case gets from the runner. */
export interface CaseEnv {
  /** A fresh, empty directory for this process (SQLite files, session files). */
  dataDir: string
  /** A Redis server for this bench run (a private one when `redis-server` is installed). */
  redisUrl: string
  /** PostgreSQL connection string (database `test` on 127.0.0.1:5432 by default). */
  pgUrl: string
  /** A 32+ character secret for signing and sealing. */
  secret: string
}

/** A running case: the request listener the server child mounts on `http.createServer`. */
export interface CaseApp {
  listener: RequestListener
  /** Counters the case keeps itself (e.g. Redis round trips made by the session layer). Read around a run. */
  counters?: () => Record<string, number>
  close?: () => Promise<void> | void
}

/** One server case: a framework, with or without a session layer. */
export interface ServerCase {
  id: string
  group: Group
  /** Row label in the tables. */
  label: string
  /** `bare` (no session), `store` (server-side data) or `cookie` (data in the cookie). */
  kind: 'bare' | 'store' | 'cookie'
  /** Whether this is a @sess case (they are skipped, not failed, while their packages do not exist). */
  sess: boolean
  /** Servers the case needs. */
  needs?: ReadonlyArray<'redis' | 'postgres'>
  /** A diagnostic case (not a peer, not a product): runs only when named with `--case`. */
  diagnostic?: boolean
  /** The issue whose Bench section asked for the case. */
  issue: number
  /** Loads the case's module and builds the app (called in the server child only). */
  create: (env: CaseEnv) => Promise<CaseApp>
}

/** Every app answers the same routes with the same small JSON bodies: /hit increments a counter, /read reads it, /noop ignores the session. */
export const ROUTES = { hit: '/hit', read: '/read', noop: '/noop' } as const
