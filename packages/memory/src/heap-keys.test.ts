import { getHeapSnapshot } from 'node:v8'
import { createSessions, type Sessions } from '@sess/core'
import { describe, expect, it } from 'vitest'
import { memoryEngine } from './index.js'

/** Every string in a V8 heap snapshot of this process (the snapshot runs a full collection first). */
async function heapStrings(): Promise<string[]> {
  const chunks: Buffer[] = []
  for await (const chunk of getHeapSnapshot()) chunks.push(chunk as Buffer)
  return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { strings: string[] }).strings
}

/** A new session holding `n`; returns its key as bytes. */
async function newSession(sessions: Sessions, n: number): Promise<Buffer> {
  const s = sessions.load(null)
  await s.set('n', n)
  const { setCookie } = await sessions.commit(s)
  // Sliced, not matched: V8 keeps the subject of a realm's last regular expression match alive (which is also why
  // core checks keys without one).
  expect(setCookie[0]!.startsWith('sessionid=')).toBe(true)
  return Buffer.from(setCookie[0]!.slice('sessionid='.length, 'sessionid='.length + 32))
}

/** One request of the session whose key is `bytes`: `n` + 1. */
async function increment(sessions: Sessions, bytes: Buffer): Promise<void> {
  const s = sessions.load(`sessionid=${bytes.toString()}`)
  await s.modify('n', (n) => (n as number) + 1)
  await sessions.commit(s)
}

/** The session's `n`, read by a request that changes nothing. */
async function count(sessions: Sessions, bytes: Buffer): Promise<unknown> {
  return sessions.load(`sessionid=${bytes.toString()}`).get('n')
}

describe('session keys in the process heap', () => {
  it('are gone once their requests are done: neither the engine nor core’s save queues keep a raw key', async () => {
    const sessions = createSessions({ engine: memoryEngine() })
    // The keys are kept as bytes (not strings), and every request runs in a function of its own whose frame is gone
    // afterwards, so that this test does not itself keep a key in the heap (a loop's last value stays on the stack).
    const keys: Buffer[] = []
    for (let i = 0; i < 20; i++) keys.push(await newSession(sessions, i))
    // Parallel requests of each session: their saves queue behind one another (and core remembers versions).
    await Promise.all(keys.flatMap((bytes) => Array.from({ length: 5 }, () => increment(sessions, bytes))))
    // No string of the heap holds one of their keys …
    const strings = await heapStrings()
    const found = keys.filter((bytes) => {
      const key = bytes.toString()
      return strings.some((s) => s.includes(key))
    })
    expect(found.length).toBe(0)
    // … yet the sessions and their engine were alive for the snapshot: every session is there, saved 6 times.
    for (const [i, bytes] of keys.entries()) expect(await count(sessions, bytes)).toBe(i + 5)
  }, 60_000)
})
