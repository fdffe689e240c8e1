import { describeEngine, describeStore } from '@sess/engine-tests'
import { redisEngine } from './redis-engine.js'
import { ioRedis, nodeRedis, uniquePrefix } from './test-support.js'

const node = await nodeRedis()
const io = await ioRedis()
const prefix = uniquePrefix('engine')

for (const [label, client] of [
  ['node-redis', node],
  ['ioredis', io],
] as const) {
  describeEngine(`redis (${label})`, {
    create: () => redisEngine({ client, prefix }),
    reopen: () => redisEngine({ client: label === 'node-redis' ? io : node, prefix }),
  })
  describeStore(`redis (${label})`, { create: () => redisEngine({ client, prefix }) })
}
