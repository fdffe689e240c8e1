import { register } from 'node:module'

register('./build-loader.mjs', import.meta.url)
