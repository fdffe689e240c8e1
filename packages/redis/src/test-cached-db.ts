import { cachedDbEngine } from '@sess/cached-db'
import type { SessionEngine } from '@sess/core'
import { postgresEngine } from '@sess/postgres'

/** The PostgreSQL database of this machine's tests. */
export const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

/** cached-db with the Redis engine as the cache and PostgreSQL (`table`) as the engine of record. */
export async function cachedDb(cache: SessionEngine, table: string): Promise<SessionEngine> {
  return cachedDbEngine({ cache, db: postgresEngine({ connectionString: DATABASE_URL, table }) })
}
