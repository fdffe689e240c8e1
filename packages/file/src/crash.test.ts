import { generateSessionKey } from '@sess/core/engine'
import { readdirSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { fileEngine } from './index.js'
import { events, now, tempRoot, digest } from './test-dirs.js'
import { spawnChild } from './test-spawn.js'

const ROUNDS = 6
const KEYS = 4

/**
 * Starts a writer process, waits for `acks` acknowledged writes plus a random few milliseconds, and
 * kills it with SIGKILL. Returns the last acknowledged version of each key.
 */
function writeThenKill(dir: string, keys: string[], acks: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const acked = new Map<string, number>()
    const proc = spawnChild({ mode: 'crash', dir, keys, pad: 3000 })
    let buffered = ''
    let seen = 0
    let err = ''
    let killing = false
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk))
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const [key, version] = line.split(' ')
        acked.set(key!, Number(version))
        seen++
      }
      if (seen >= acks && !killing) {
        killing = true
        setTimeout(() => proc.kill('SIGKILL'), Math.floor(Math.random() * 15))
      }
    })
    proc.on('error', reject)
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`writer ended by itself (${code}): ${err}`))
      else resolve(acked)
    })
  })
}

describe('file: crash safety', () => {
  it(`a writer killed with SIGKILL at random points (${ROUNDS} rounds) never loses an acknowledged version nor leaves a torn file`, async () => {
    const dir = join(tempRoot('crash'), 'sessions')
    const keys = Array.from({ length: KEYS }, () => generateSessionKey())
    const acknowledged = new Map<string, number>()
    const seen = events()
    for (let round = 0; round < ROUNDS; round++) {
      const acked = await writeThenKill(dir, keys, 5 + Math.floor(Math.random() * 120))
      for (const [key, version] of acked) acknowledged.set(key, version)
      // A fresh engine, as after a restart.
      const engine = fileEngine({ dir, onEvent: seen.onEvent })
      for (const key of keys) {
        const found = await engine.read(key, now)
        expect(found, `round ${round}: session present`).not.toBeNull()
        expect(found!.version, `round ${round}: at least the acknowledged version`).toBeGreaterThanOrEqual(acknowledged.get(key) ?? 1)
        const payload = JSON.parse(found!.payload) as { version: number; pad: string }
        expect(payload.version, `round ${round}: payload and version written together`).toBe(found!.version)
        expect(payload.pad).toHaveLength(3000)
      }
      for (const name of readdirSync(dir)) {
        expect(name, 'only sessions, temp files and locks').toMatch(/^(sess_[0-9a-f]{64}|\.tmp-[0-9a-f]{24}|\.lock-sess_[0-9a-f]{64})$/)
      }
    }
    expect(seen.list, 'no file was unreadable').toEqual([])
    expect(Math.min(...keys.map((key) => acknowledged.get(key) ?? 0))).toBeGreaterThan(1)

    // Leftovers of the crashes (temp files once they are old, locks of dead writers) are purged; sessions stay.
    const anHourAgo = (Date.now() - 3_600_000) / 1000
    for (const name of readdirSync(dir)) if (name.startsWith('.tmp-')) utimesSync(join(dir, name), anHourAgo, anHourAgo)
    const engine = fileEngine({ dir })
    expect(await engine.purgeExpired!(now)).toBe(0)
    expect(readdirSync(dir).sort()).toEqual(keys.map((key) => `sess_${digest(key)}`).sort())
  })
})
