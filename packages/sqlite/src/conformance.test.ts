import { join } from 'node:path'
import { describeEngine, describeStore } from '@sess/engine-tests'
import { sqliteEngine } from './index.js'
import { tempDir } from './test-support.js'

const suiteFile = join(tempDir(), 'suite.sqlite3')

describeEngine('sqlite', {
  create: () => sqliteEngine({ path: suiteFile }),
  reopen: () => sqliteEngine({ path: suiteFile }),
})
describeEngine('sqlite (synchronous full, own table)', {
  create: () => sqliteEngine({ path: suiteFile, synchronous: 'full', table: 'other_sessions' }),
  reopen: () => sqliteEngine({ path: suiteFile, table: 'other_sessions' }),
})
describeStore('sqlite', { create: () => sqliteEngine({ path: suiteFile }), reopen: () => sqliteEngine({ path: suiteFile }) })
