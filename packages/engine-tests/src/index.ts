/**
 * @module @sess/engine-tests
 * The conformance suites every @sess engine, store and binding passes. Third-party engines can run them too.
 */
export { describeEngine, expectSessionError, type EngineSuiteOptions } from './engine-suite.js'
export { describeStore, type StoreSuiteOptions } from './store-suite.js'
export {
  describeBinding,
  controlledEngine,
  delayOf,
  waitMs,
  type BindingSuiteOptions,
  type BindingApp,
  type BindingData,
  type BindingHelpers,
  type BindingSetup,
  type BindingResponse,
  type ControlledEngine,
} from './binding-suite.js'
export { createHarness, countCalls, type Harness, type CallCounter, type RequestResult } from './harness.js'
export { ManualClock } from './clock.js'
export { CookieJar, type JarCookie } from './cookie-jar.js'
export { referenceEngine, type ReferenceEngine } from './reference-engine.js'
export { churnUserIndex, type UserIndexChurnOptions, type UserIndexChurn } from './user-index-churn.js'
export { richValues, expectRichValues, Money, moneyType } from './rich-values.js'
export { payloadFixtures, hostileKeys, record, newKey, userRecord, newUserId, awkwardUserIds } from './fixtures.js'
