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
  const portablePath = {
    source: '../../../packages/signed-cookie/src/index.ts',
    dist: '../../../packages/signed-cookie/dist/index.js',
    build: '../../.build/signed-cookie/index.js',
  }[env.from]
  const portable = await importExports<{ signedCookie: (o: object) => StoreLike }>(fileURLToPath(new URL(portablePath, import.meta.url)), [
    'signedCookie',
  ])
  const key = keys(1)[0]!
  const record = { payload: PAYLOAD, expiresAt: new Date(Date.now() + 14 * DAY_MS), version: 1 }
  const now = new Date()
  const stores = [node, portable].map((mod) => mod.signedCookie({ secrets: env.secret }))
  const values: string[] = []
  for (const store of stores) {
    const value = await store.cookieValue(key, record)
    if ((await store.load(value, now)) === null) throw new Error(`${store.implementation}: cannot unseal its own seal`)
    values.push(value)
  }
  // The two implementations interoperate: each opens the other's seal.
  if ((await stores[0]!.load(values[1]!, now)) === null || (await stores[1]!.load(values[0]!, now)) === null)
    throw new Error('the implementations do not interoperate')
  const name = (j: number) => stores[j]!.implementation ?? (j === 0 ? 'node entry' : 'portable entry')
  await m.compare(stores.map((store, j) => [`@sess/signed-cookie seal (${name(j)})`, () => store.cookieValue(key, record)] as const))
  await m.compare(stores.map((store, j) => [`@sess/signed-cookie unseal (${name(j)})`, () => store.load(values[j]!, now)] as const))
  await m.compare(
    stores.map(
      (store, j) =>
        [
          `@sess/signed-cookie seal+unseal (${name(j)})`,
          async () => {
            await store.load(await store.cookieValue(key, record), now)
          },
        ] as const,
    ),
  )
}
