/** Rebuilds bench/.build (every @sess package as published) for the tools that load it (paired.ts, profile.ts). */
import { buildPackages } from '../build.js'

const failed = await buildPackages((line) => console.log(line))
if (failed.size > 0) process.exit(1)
