// Test-only helpers for core's own tests (excluded from the published files by the `!src/**/test-*` pattern).
// The reference engine and harness live in @sess/engine-tests; core borrows them by path, because a package
// dependency would make a build cycle (engine-tests depends on core).
export { referenceEngine } from '../../engine-tests/src/reference-engine.js'
export { createHarness, countCalls } from '../../engine-tests/src/harness.js'
export { CookieJar } from '../../engine-tests/src/cookie-jar.js'
export { ManualClock } from '../../engine-tests/src/clock.js'
