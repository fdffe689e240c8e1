/**
 * @module @sess/core/rich
 * The rich serializer: `Date`, `Map`, `Set`, `BigInt`, `undefined`, non-finite numbers, `-0`, `RegExp`, typed
 * arrays, `URL`, repeated and cyclic references, and app classes with a registered reviver. A subpath of its
 * own so that apps on the default strict JSON never load devalue. Use it as `createSessions({ serializer: richSerializer })`.
 */
export { richSerializer, createRichSerializer, type RichType, type RichSerializerOptions } from './rich-serializer.js'
export { MAX_RICH_DEPTH } from './rich-depth.js'
