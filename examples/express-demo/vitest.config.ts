import { sessProject } from '../../vitest.shared.ts'

const config = sessProject('express-demo')
// Vitest hands ssr.resolve.conditions to Node as --conditions; with `import` among them, Express 5's
// router (CommonJS) gets the ESM build of `is-promise` from require() and every route fails.
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: ['@sess/source', 'node', 'default'] } }
export default config
