import { describeEngine, describeStore } from '@sess/engine-tests'
import { postgresEngine } from './postgres-engine.js'
import { DATABASE_URL, freshTable, testPool } from './test-support.js'

const pool = testPool()
const table = freshTable('suite')

describeEngine('postgres', {
  create: () => postgresEngine({ pool, table }),
  reopen: () => postgresEngine({ connectionString: DATABASE_URL, table }),
})
describeStore('postgres', {
  create: () => postgresEngine({ pool, table }),
  reopen: () => postgresEngine({ connectionString: DATABASE_URL, table }),
})
