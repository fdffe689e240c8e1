import { sessBuild } from '../../tsup.config.base'

export default sessBuild({ entry: ["src/index.ts","src/cli.ts"] })
