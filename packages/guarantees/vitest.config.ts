import { sessProject } from '../../vitest.shared.ts'

export default sessProject('guarantees', { testTimeout: 60_000 })
