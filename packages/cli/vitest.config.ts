import { sessProject } from '../../vitest.shared.ts'

export default sessProject('cli')
