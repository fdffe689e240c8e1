import { describeEngine } from './engine-suite.js'
import { referenceEngine } from './reference-engine.js'
import { describeStore } from './store-suite.js'

describeEngine('reference', { create: referenceEngine })
describeStore('reference', { create: referenceEngine })
