import { sessBuild } from '../../tsup.config.base.ts'

// Two builds of one API: index (iron-webcrypto, every runtime) and node (node:crypto, the `node` export condition).
export default sessBuild({ entry: ['src/index.ts', 'src/node.ts'] })
