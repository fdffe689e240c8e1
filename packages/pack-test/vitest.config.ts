import { sessProject } from '../../vitest.shared.ts'

// Packing, one npm install and a tsc run per module resolution take a while; nothing here is timed.
export default sessProject('pack-test', { testTimeout: 120_000, hookTimeout: 240_000 })
