import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

/** Every package tests against the sources of its @sess/* dependencies (no build needed). */
export function sessProject(name: string, test: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@sess/source', 'module', 'node', 'import', 'default'] },
    ssr: { resolve: { conditions: ['@sess/source', 'node', 'import', 'default'], externalConditions: ['node'] } },
    test: { name, testTimeout: 20_000, hookTimeout: 30_000, ...test },
  })
}
