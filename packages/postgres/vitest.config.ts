import { sessProject } from '../../vitest.shared'

export default sessProject('postgres')
