import { describe, expect, it } from 'vitest'
import { isOlderSecretId } from './node.js'
import { resolveSecrets } from './options.js'
import { SECRET_A, SECRET_B, SECRET_C } from './test-extras.js'

describe('the re-seal rule: only cookies of an older secret id are re-sealed', () => {
  it.each([
    ['1', '2'],
    ['9', '10'],
    ['k1', 'k2'],
    ['v9', 'v10'],
    ['2025_12', '2026_01'],
    ['2026_01', '2026_07'],
    ['2026_7', '2026_10'],
    ['key', 'key2'],
    ['a', 'b'],
  ])('%s is older than %s, and not the other way round', (older, newer) => {
    expect(isOlderSecretId(older, newer)).toBe(true)
    expect(isOlderSecretId(newer, older)).toBe(false)
    expect(isOlderSecretId(older, older)).toBe(false)
  })

  it('re-seals from exactly the ids older than the sealing one', () => {
    const secrets = [
      { id: 'k2', password: SECRET_B },
      { id: 'k3', password: SECRET_C },
      { id: 'k1', password: SECRET_A },
    ]
    expect([...resolveSecrets(secrets).resealFrom]).toEqual(['k1'])
    expect([...resolveSecrets(SECRET_A).resealFrom]).toEqual([])
    expect([...resolveSecrets([...secrets].reverse()).resealFrom]).toEqual([])
  })
})
