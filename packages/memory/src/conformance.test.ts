import { describeEngine, describeStore } from '@sess/engine-tests'
import { memoryEngine } from './index.js'

describeEngine('memory', { create: () => memoryEngine() })
describeEngine('memory (maxSize)', { create: () => memoryEngine({ maxSize: 64 * 1024 * 1024 }) })
describeStore('memory', { create: () => memoryEngine() })
