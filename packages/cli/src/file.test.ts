import { describeCli } from './test-cli-suite.js'
import { fileCli } from './test-engines.js'

describeCli(fileCli)
