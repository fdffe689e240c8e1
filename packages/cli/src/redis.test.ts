import { describeCli } from './test-cli-suite.js'
import { redisCli } from './test-engines.js'

describeCli(redisCli)
