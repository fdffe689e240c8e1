/**
 * @module @sess/redis
 * A Redis / Valkey / Redis Cluster session engine for @sess/core, on node-redis, ioredis or any client.
 */
export { redisEngine } from './redis-engine.js'
export type { RedisEngineOptions } from './options.js'
export {
  toSend,
  type RedisSend,
  type RedisCommand,
  type RedisClientLike,
  type NodeRedisClientLike,
  type NodeRedisClusterLike,
  type IoRedisLike,
} from './client.js'
