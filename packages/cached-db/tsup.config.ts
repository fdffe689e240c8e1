import { sessBuild } from '../../tsup.config.base'

export default sessBuild()
