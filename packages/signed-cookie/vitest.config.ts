import { sessProject } from '../../vitest.shared'

export default sessProject('signed-cookie')
