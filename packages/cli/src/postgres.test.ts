import { describeCli } from './test-cli-suite.js'
import { postgresCli } from './test-engines.js'

describeCli(postgresCli)
