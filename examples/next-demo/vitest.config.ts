import { sessProject } from '../../vitest.shared.ts'

// One `next build` per run (globalSetup), then the test files start `next start` on it.
export default sessProject('next-demo', { globalSetup: ['src/test-build.ts'], testTimeout: 60_000, hookTimeout: 120_000 })
