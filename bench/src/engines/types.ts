/** What an engine bench gets from the runner. */
export interface EngineEnv {
  dataDir: string
  redisUrl: string
  pgUrl: string
  secret: string
  from: 'source' | 'dist' | 'build'
}
