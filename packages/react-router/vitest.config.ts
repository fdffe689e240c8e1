import { sessProject } from '../../vitest.shared.ts'

export default sessProject('react-router')
