import { sessBuild } from '../../tsup.config.base.ts'

export default sessBuild({ entry: ['src/index.ts', 'src/entry-engine.ts', 'src/entry-binding.ts', 'src/entry-rich.ts'] })
