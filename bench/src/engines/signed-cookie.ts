import { fileURLToPath } from 'node:url'
import { importExports } from '../sess.js'
import { DAY_MS, keys, PAYLOAD, type Micro } from './micro.js'
import type { EngineEnv } from './types.js'

interface StoreLike {
  implementation?: string
  cookieValue(key: string, record: { payload: string; expiresAt: Date; version: number }): string | Promise<string>
  load(value: string, now: Date): Promise<unknown>
}

/**
 * @sess/signed-cookie seal + unseal (store level: `cookieValue` then `load`) with both implementations:
 * the `node` export condition's (node:crypto) and the portable one (iron-webcrypto). Node always matches
 * the `node` condition, so the portable entry is imported by its file path. iron-webcrypto's own
 * seal+unseal of the same payload is the reference (what iron-session and hono-sessions pay).
 */
export async function run(m: Micro, env: EngineEnv): Promise<void> {
  const Iron = await import('iron-webcrypto')
  const object = JSON.parse(PAYLOAD) as unknown
  await m.measure('iron-webcrypto 2 seal+unseal (password)', async () => {
    const sealed = await Iron.seal(object, env.secret, Iron.defaults)
    await Iron.unseal(sealed, env.secret, Iron.defaults)
  })

  const node = await importExports<{ signedCookie: (o: object) => StoreLike }>('@sess/signed-cookie', ['signedCookie'])
  const portablePath = env.from === 'source' ? '../../../packages/signed-cookie/src/index.ts' : '../../../packages/signed-cookie/dist/index.js'
  const portable = await importExports<{ signedCookie: (o: object) => StoreLike }>(fileURLToPath(new URL(portablePath, import.meta.url)), ['signedCookie'])
  const key = keys(1)[0]!
  const record = { payload: PAYLOAD, expiresAt: new Date(Date.now() + 14 * DAY_MS), version: 1 }
  const now = new Date()
  for (const [label, mod] of [['node:crypto', node], ['webcrypto', portable]] as const) {
    const store = mod.signedCookie({ secrets: env.secret })
    const impl = store.implementation ?? label
    const value = await store.cookieValue(key, record)
    if ((await store.load(value, now)) === null) throw new Error(`${impl}: cannot unseal its own seal`)
    await m.measure(`@sess/signed-cookie seal (${impl})`, () => store.cookieValue(key, record))
    await m.measure(`@sess/signed-cookie unseal (${impl})`, () => store.load(value, now))
    await m.measure(`@sess/signed-cookie seal+unseal (${impl})`, async () => {
      await store.load(await store.cookieValue(key, record), now)
    })
  }
}
