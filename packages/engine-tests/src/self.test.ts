import { describeEngine } from './engine-suite.js'
import { referenceEngine } from './reference-engine.js'
import { describeStore } from './store-suite.js'

describeEngine('reference', { create: referenceEngine })
// The reference engine is not durable: a "second process" is a second createSessions over the same engine.
describeStore('reference', { create: referenceEngine, reopen: (engine) => engine })
