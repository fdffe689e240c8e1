import { sessProject } from '../../vitest.shared.ts'

const shared = sessProject('redis')

// (Needed by the cached-db-over-PostgreSQL tests.) Vitest hands ssr.resolve.conditions to its workers as `node --conditions`; an `import` condition there makes
// pg's own `require('pg-pool')` load pg-pool's ESM build (a module namespace, not the class). Vite adds
// import/require per import kind by itself, so it is left out here.
export default {
  ...shared,
  ssr: { ...shared.ssr, resolve: { ...shared.ssr?.resolve, conditions: ['@sess/source', 'node', 'default'] } },
}
