import { fileURLToPath } from 'node:url'
import { runInNewContext } from 'node:vm'
import { builtinModules } from 'node:module'
import { build, type Plugin } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { SECRET_A } from './test-extras.js'

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url))
const builtins = new Set(builtinModules)

/** Records every import of a Node built-in (`node:x` or a bare built-in name) instead of resolving it. */
function nodeImports(found: string[]): Plugin {
  return {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.path.startsWith('node:') || builtins.has(args.path)) {
          found.push(`${args.path} (from ${args.importer.replace(/.*\/packages\//, '')})`)
          return { path: args.path, external: true }
        }
        return undefined
      })
    },
  }
}

/** Bundles an entry with @sess/core from source, for a platform without Node. */
async function bundle(entry: string, platform: 'neutral' | 'browser', format: 'esm' | 'iife' = 'esm') {
  const found: string[] = []
  const source = entry.startsWith('./')
    ? { entryPoints: [here(entry)] }
    : { stdin: { contents: entry, resolveDir: here('.'), loader: 'ts' as const } }
  const result = await build({
    ...source,
    bundle: true,
    write: false,
    platform,
    format,
    globalName: 'sealed',
    conditions: ['@sess/source', 'import'],
    mainFields: ['module', 'main'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [nodeImports(found)],
  })
  return { found, errors: result.errors, code: result.outputFiles[0]!.text }
}

describe('runs everywhere', () => {
  for (const platform of ['neutral', 'browser'] as const) {
    it(`the default entry and @sess/core bundle for platform "${platform}" with no Node built-in`, async () => {
      const { found, errors, code } = await bundle('./index.ts', platform)
      expect(errors).toEqual([])
      expect(found).toEqual([])
      expect(code).not.toMatch(/["']node:/)
      expect(code).toContain('Fe26.2')
    })
  }

  it('the check can fail: the node entry is reported for its node:crypto import', async () => {
    const { found } = await bundle('./node.ts', 'neutral')
    expect(found).toEqual(['node:crypto (from signed-cookie/src/node-sealer.ts)'])
  })

  it('seals and unseals in a bare JavaScript realm given only crypto, TextEncoder/TextDecoder and atob/btoa', async () => {
    const entry = "export { signedCookie } from './index.ts'; export { createSessions } from '@sess/core'"
    const { code, found } = await bundle(entry, 'neutral', 'iife')
    expect(found).toEqual([])
    const realm = { crypto: globalThis.crypto, TextEncoder, TextDecoder, atob, btoa }
    const script = `${code}
      ;(async () => {
        const store = sealed.signedCookie({ secrets: [{ id: 'edge', password: secret }] })
        const key = 'abcdefghijklmnopqrstuvwxyz012345'
        const record = { payload: '{"d":{"user":"ada"},"c":0}', expiresAt: new Date(Date.UTC(2030, 0, 2)), version: 3 }
        const value = await store.cookieValue(key, record)
        const now = new Date(Date.UTC(2030, 0, 1))
        const back = await store.load(value, now)
        const tampered = await store.load(value.slice(0, 40) + (value[40] === 'a' ? 'b' : 'a') + value.slice(41), now)
        // The whole path through core: a session saved into a sealed cookie and read back from it.
        const sessions = sealed.createSessions({ engine: store, now: () => now })
        const first = sessions.load(undefined)
        await first.set('count', 41)
        const { setCookie } = await sessions.commit(first)
        const second = sessions.load(setCookie[0].split(';')[0])
        const count = await second.get('count')
        return { count, value, implementation: store.implementation, key: back.key, payload: back.record.payload, expiresAt: back.record.expiresAt.getTime(), version: back.record.version, tampered,
          globals: [typeof process, typeof require, typeof Buffer, typeof setTimeout] }
      })()`
    const result = await runInNewContext(script, { ...realm, secret: SECRET_A })
    expect(result).toMatchObject({
      implementation: 'webcrypto',
      key: 'abcdefghijklmnopqrstuvwxyz012345',
      payload: '{"d":{"user":"ada"},"c":0}',
      expiresAt: Date.UTC(2030, 0, 2),
      version: 3,
      tampered: null,
      count: 41,
      globals: ['undefined', 'undefined', 'undefined', 'undefined'],
    })
    expect(result.value).toMatch(/^Fe26\.2\*edge\*/)
  })
})
