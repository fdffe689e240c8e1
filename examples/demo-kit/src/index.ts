/**
 * @module @sess-examples/demo-kit
 * What the Express, Koa and Hono demos share, framework-neutral and Web-standard (no Node APIs, so the Hono
 * demo still runs on workers): the page, the JSON API over a `Session` (the device list included), body reading
 * and validation, and the error replies. The SQLite start-up is in `./server`, the HTTP test suite in `./testing`.
 */
export type { DemoData, DemoReply, DemoRequest, DeviceView, DevicesView, SessionView } from './data.js'
export { demoPage } from './page.js'
export { demoApi, findEndpoint, isApiPath, noSuchEndpoint, sessionView, type DemoEndpoint } from './api.js'
export { deviceMetadata, type DeviceMetadata } from './devices.js'
export { DemoError, MAX_TEXT, expirySeconds, jsonObject, text } from './input.js'
export { MAX_BODY, readJsonBody, type BodySource } from './body.js'
export { errorReply } from './errors.js'
export { brokenEngine } from './broken-engine.js'
