/**
 * @module @sess/connect
 * express-session stores as sess engines (`connectStore`), and sess engines as express-session stores
 * (`toConnectStore`), for any binding.
 */
export { connectStore, type ConnectEngine, type ConnectEngineCapabilities } from './connect-engine.js'
export { toConnectStore, type ConnectStore } from './to-connect-store.js'
export type { ConnectStoreLike, ConnectSessionData, StoreCallback } from './connect-types.js'
export type { ConnectStoreOptions, ToConnectStoreOptions } from './options.js'
