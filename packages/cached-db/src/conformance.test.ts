import type { SessionEngine } from '@sess/core'
import { describeEngine, describeStore, referenceEngine } from '@sess/engine-tests'
import { fileEngine } from '@sess/file'
import { memoryEngine } from '@sess/memory'
import { sqliteEngine } from '@sess/sqlite'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { cachedDbEngine } from './index.js'

const root = mkdtempSync(join(tmpdir(), 'sess-cached-db-conformance-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Runs both suites over `cache` in front of `db`; `reopen` builds a fresh cache over the same db storage. */
function suites(name: string, cache: () => SessionEngine, db: (storage: string) => SessionEngine): void {
  const storage = join(root, name.replace(/\W+/g, '-'))
  const engine = () => cachedDbEngine({ cache: cache(), db: db(storage) })
  describeEngine(`cached-db (${name})`, { create: engine, reopen: engine })
  describeStore(`cached-db (${name})`, { create: () => cachedDbEngine({ cache: cache(), db: db(`${storage}-store`) }) })
}

/** A reference engine per storage name, so "reopen" sees the same records (the reference engine is not durable). */
const referenceDbs = new Map<string, SessionEngine>()
const sharedReference = (storage: string) => {
  if (!referenceDbs.has(storage)) referenceDbs.set(storage, referenceEngine())
  return referenceDbs.get(storage)!
}

/** A cache like Redis: it expires entries by its own clock, so it has neither touch nor purgeExpired. */
const ttlOnlyCache = (): SessionEngine => {
  const { touch: _touch, purgeExpired: _purge, ...rest } = referenceEngine()
  return { ...rest, capabilities: { durable: false, touch: false, purge: false } }
}

suites('reference over reference', referenceEngine, sharedReference)
suites('a cache without touch or purge over SQLite', ttlOnlyCache, (storage) => sqliteEngine({ path: `${storage}.sqlite3` }))
suites(
  'memory over SQLite',
  () => memoryEngine(),
  (storage) => sqliteEngine({ path: `${storage}.sqlite3` }),
)
suites(
  'memory over file',
  () => memoryEngine(),
  (storage) => fileEngine({ dir: storage }),
)
suites('reference over file', referenceEngine, (storage) => fileEngine({ dir: storage }))
