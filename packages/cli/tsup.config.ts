import { sessBuild } from '../../tsup.config.base.ts'

// The bin is ESM only (`"type": "module"`): Node runs ./dist/bin.js; the library entry is ESM + CJS like every package.
export default [sessBuild(), sessBuild({ entry: ['src/bin.ts'], format: ['esm'], dts: false, clean: false })]
