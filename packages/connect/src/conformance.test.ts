import { describeEngine, describeStore } from '@sess/engine-tests'
import { connectStore } from './connect-engine.js'
import { memoryStore, pgStores, redisStores } from './test-stores.js'

// Each suite runs in full: no case is skipped. The stores have no compare-and-set, and every case that needs
// one (exactly one of 20 concurrent versioned updates wins, parallel writers merge, a save racing a logout
// fails with NOT_FOUND) passes because the engine queues the saves of each session in this process; the
// cross-process limit is declared (`capabilities.compareAndSet: false`) and tested in connect-engine.test.ts.
// Declared without `touch` and `purge` (the stores expire records themselves), so the suite asserts both absent.

describeEngine('connectStore(express-session MemoryStore)', { create: () => connectStore(memoryStore()) })
describeStore('connectStore(express-session MemoryStore)', { create: () => connectStore(memoryStore()) })

const redis = await redisStores()
describeEngine('connectStore(connect-redis 9)', {
  create: () => connectStore(redis.store(), { durable: true }),
  reopen: () => connectStore(redis.store(), { durable: true }),
})
describeStore('connectStore(connect-redis 9)', { create: () => connectStore(redis.store(), { durable: true }) })

const postgres = await pgStores()
describeEngine('connectStore(connect-pg-simple)', {
  create: () => connectStore(postgres.store(), { durable: true }),
  reopen: () => connectStore(postgres.store(), { durable: true }),
})
describeStore('connectStore(connect-pg-simple)', { create: () => connectStore(postgres.store(), { durable: true }) })
