import { sessBuild } from '../../tsup.config.base.ts'

export default sessBuild()
