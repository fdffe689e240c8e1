#!/usr/bin/env node
// Sets up a fresh clone: pnpm 10 (installed with npm when missing), the workspace's dependencies, a build.
// Used by `npm run demo` and `npm test`, so the README's two commands work on a machine with only Node and npm.
import { execSync } from 'node:child_process'

const run = (command) => execSync(command, { stdio: 'inherit', env: process.env })
const has = (command) => {
  try {
    execSync(command, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

if (!has('pnpm --version')) {
  console.log('[sess] installing pnpm 10 with npm')
  run('npm install -g pnpm@10')
}
run(process.env.CI ? 'pnpm install --frozen-lockfile' : 'pnpm install --prefer-frozen-lockfile')
run('pnpm build')
