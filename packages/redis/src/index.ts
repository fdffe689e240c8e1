/**
 * @module @sess/redis
 * A Redis / Valkey / Redis Cluster session engine for @sess/core, on node-redis, ioredis or any client.
 */
export { redisEngine, type RedisEngineOptions } from './redis-engine.js'
export {
  toSend,
  type RedisSend,
  type RedisCommand,
  type RedisClientLike,
  type NodeRedisClientLike,
  type NodeRedisClusterLike,
  type IoRedisLike,
} from './client.js'
