import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

/**
 * Every package tests against the sources of its @sess/* dependencies (no build needed).
 * `import`/`require` stay out of `ssr.resolve.conditions`: Vite adds the right one itself, and Vitest hands
 * this list to Node as `--conditions`, where `import` makes CommonJS packages (Express 5's router) require()
 * ESM builds of their dependencies.
 */
export function sessProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@sess/source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['@sess/source', 'node', 'default'], externalConditions: ['node'] } },
    test: { name, testTimeout: 20_000, hookTimeout: 30_000, ...test },
  })
}
