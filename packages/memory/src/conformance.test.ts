import { describeEngine, describeStore } from '@sess/engine-tests'
import { memoryEngine } from './index.js'

describeEngine('memory', { create: () => memoryEngine() })
describeEngine('memory (maxSize)', { create: () => memoryEngine({ maxSize: 64 * 1024 * 1024 }) })
// Not durable: the "second app process" of the user-index cases is a second createSessions over the same engine.
describeStore('memory', { create: () => memoryEngine(), reopen: (engine) => engine })
