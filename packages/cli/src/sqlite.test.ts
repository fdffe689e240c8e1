import { describeCli } from './test-cli-suite.js'
import { sqliteCli } from './test-engines.js'

describeCli(sqliteCli)
