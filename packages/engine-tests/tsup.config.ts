import { sessBuild } from '../../tsup.config.base.ts'

export default sessBuild({ entry: ['src/index.ts', 'src/bench.ts'], external: ['vitest'] })
