import { defineConfig, type Options } from 'tsup'

/** The one build every @sess package shares: ESM + CJS + .d.ts, sourcemaps, Node 20 syntax. */
export function sessBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
    ...overrides,
  })
}
