/** @type {import('next').NextConfig} */
export default {
  poweredByHeader: false,
  // `pnpm typecheck` (tsc) checks the demo; the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  // demo-kit ships TypeScript sources (no build), imported with `.js` specifiers as Node's ESM wants.
  transpilePackages: ['@sess-examples/demo-kit'],
  webpack(config, { isServer }) {
    config.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] }
    // better-sqlite3 loads a native addon: Node requires it at run time (@sess/sqlite, a workspace
    // package, is bundled like app code, so Next's own list of external packages does not reach it).
    if (isServer) config.externals.push({ 'better-sqlite3': 'commonjs better-sqlite3' })
    return config
  },
}
