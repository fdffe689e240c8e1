import { sessProject } from '../../vitest.shared.ts'

const config = sessProject('signed-cookie')
// As in @sess/express: Vitest passes ssr.resolve.conditions to Node as --conditions, and with `import` among
// them Express 5's CommonJS router gets the ESM build of `is-promise` from require(). Vite adds import/require itself.
config.ssr = { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: ['@sess/source', 'node', 'default'] } }
export default config
