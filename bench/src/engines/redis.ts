import { importExports } from '../sess.js'
import { engineOps, fill } from './engine-ops.js'
import { PAYLOAD, type Micro } from './micro.js'
import type { EngineEnv } from './types.js'

/** @sess/redis read and read+update, one at a time (latency-bound), next to a raw GET and GET+SET on the same client. */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const { createClient } = await import('redis')
  const client = createClient({ url: env.redisUrl })
  await client.connect()
  try {
    await client.set('bench-raw:k', PAYLOAD)
    await m.measure('raw node-redis GET', () => client.get('bench-raw:k'))
    await m.measure('raw node-redis GET+SET', async () => {
      const v = await client.get('bench-raw:k')
      await client.set('bench-raw:k', v ?? PAYLOAD)
    })
    const { redisEngine } = await importExports('@sess/redis', ['redisEngine'])
    const engine = redisEngine({ client, prefix: `bench-micro-${process.pid}:` })
    await engineOps(m, '@sess/redis', engine, await fill(engine, 1000))
  } finally {
    await client.quit()
  }
}
