import type { SessionEngine } from '@sess/core'

/** Placeholder until @sess/cached-db lands: composes the Redis cache over PostgreSQL. */
export async function cachedDb(_cache: SessionEngine, _table: string): Promise<SessionEngine> {
  throw new Error('@sess/cached-db has not landed yet')
}
