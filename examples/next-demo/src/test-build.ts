import { execFileSync } from 'node:child_process'
import { DEMO_DIR, NEXT_BIN } from './test-next.js'

/**
 * Vitest globalSetup: one production build of the demo per test run (`next build --webpack`, no network:
 * telemetry off, no remote fonts or images), before any test file starts `next start` on it. It reads the
 * @sess packages' builds (`dist/`), which `node scripts/setup.mjs` (and `pnpm build`) make.
 */
export default function buildOnce(): void {
  execFileSync(process.execPath, [NEXT_BIN, 'build', '--webpack'], {
    cwd: DEMO_DIR,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
}
