import { sessProject } from '../../vitest.shared'

export default sessProject('express')
