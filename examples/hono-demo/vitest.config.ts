import { sessProject } from '../../vitest.shared'

export default sessProject('hono-demo')
