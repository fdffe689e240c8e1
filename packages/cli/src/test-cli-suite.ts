import type { Sessions } from '@sess/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appDir, lines, sess, writeFile } from './test-bin.js'
import type { CliEngine } from './test-engines.js'

/** A signed-in session saved through the public API: its cookie and handle. */
interface Device {
  cookie: string
  handle: string
}

/**
 * The `sess` commands run as a child process against one engine's real storage, with sessions seeded (and read
 * back) through `@sess/core`'s public API in the test process: what an operator sees, and what the app's next
 * request sees afterwards.
 */
export function describeCli(make: () => CliEngine): void {
  const engine = make()
  describe(`sess against ${engine.name}`, () => {
    let dir: string
    let sessions: Sessions
    /** The clock of the seeding sessions: each save a second after the last, ending before now. */
    let clock = Date.now() - 3_600_000
    const saves: Sessions[] = []

    beforeAll(async () => {
      dir = appDir()
      writeFile(dir, 'sess.config.ts', engine.config(dir))
      sessions = await engine.open(dir, { now: () => clock })
      saves.push(sessions)
    })
    afterAll(async () => {
      for (const s of saves) await s.dispose()
      await engine.close()
    })

    /** Signs `user` in on a new session (with metadata), a second after the previous save. */
    async function signIn(user: string, metadata: Record<string, string> = {}): Promise<Device> {
      clock += 1000
      const session = sessions.load(null)
      await session.set('cart', ['book'])
      await session.setUser(user, metadata)
      const { setCookie } = await sessions.commit(session, { status: 200 })
      return { cookie: setCookie[0]!.split(';')[0]!, handle: session.handle! }
    }

    /** Who the cookie's session is signed in as now (`null`: an empty session), read by the test process. */
    async function userOf(device: Device): Promise<string | null> {
      return (await sessions.load(device.cookie).getUser())?.id ?? null
    }

    const user = () => `u${Math.random().toString(36).slice(2, 10)}`

    it('list --user: the live sessions, newest save first, as a table and as JSON; never a key', async () => {
      const ada = user()
      const older = await signIn(ada, { agent: 'Firefox on Linux', ip: '192.0.2.7' })
      const newer = await signIn(ada, { agent: 'Safari' })
      const other = await signIn(user())

      const text = await sess(['list', '--user', ada], dir)
      expect(text.code, text.stderr).toBe(0)
      const [title, header, first, second, ...rest] = lines(text.stdout)
      expect(title).toBe(`2 live sessions for user ${ada}:`)
      expect(header).toMatch(/^HANDLE {12}CREATED {15}LAST SAVED {12}EXPIRES {15}METADATA$/)
      expect(first).toMatch(new RegExp(`^${newer.handle}  \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ  .*  agent=Safari$`))
      expect(second).toMatch(new RegExp(`^${older.handle}  .*  agent="Firefox on Linux" ip=192.0.2.7$`))
      expect(rest).toEqual([])
      for (const device of [older, newer, other]) expect(text.stdout).not.toContain(device.cookie.split('=')[1])

      const json = await sess(['list', '--user', ada, '--json'], dir)
      expect(json.code, json.stderr).toBe(0)
      expect(lines(json.stdout)).toHaveLength(1)
      const document = JSON.parse(json.stdout)
      expect(document).toEqual({
        store: engine.name,
        user: ada,
        sessions: [
          {
            handle: newer.handle,
            created: expect.any(String),
            lastSaved: expect.any(String),
            expires: expect.any(String),
            metadata: { agent: 'Safari' },
          },
          {
            handle: older.handle,
            created: expect.any(String),
            lastSaved: expect.any(String),
            expires: expect.any(String),
            metadata: { agent: 'Firefox on Linux', ip: '192.0.2.7' },
          },
        ],
      })
      const [n, o] = document.sessions
      expect(Date.parse(n.lastSaved)).toBeGreaterThan(Date.parse(o.lastSaved))
      expect(Date.parse(n.expires)).toBeGreaterThan(Date.now())
    })

    it('list --user for a user without sessions: an empty list, exit 0', async () => {
      const nobody = user()
      expect(await sess(['list', '--user', nobody], dir)).toMatchObject({
        code: 0,
        stdout: `no live sessions for user ${nobody}\n`,
        stderr: '',
      })
      expect(JSON.parse((await sess(['list', '--user', nobody, '--json'], dir)).stdout)).toEqual({
        store: engine.name,
        user: nobody,
        sessions: [],
      })
    })

    it('list shows metadata a crafted user agent filled with escapes as text, never as terminal control', async () => {
      const mallory = user()
      await signIn(mallory, { agent: 'x\u001b[2J\u001b]0;owned\u0007\u202e' })
      const { stdout, code } = await sess(['list', '--user', mallory], dir)
      expect(code).toBe(0)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: no control character may reach the terminal
      expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/)
      expect(stdout).toContain('agent="x\\u001b[2J\\u001b]0;owned\\u0007\\u202e"')
    })

    it('destroy --user: every session of the user reads as empty at once; other users keep theirs', async () => {
      const ada = user()
      const devices = [await signIn(ada), await signIn(ada), await signIn(ada)]
      const bob = user()
      const bobs = await signIn(bob)
      const result = await sess(['destroy', '--user', ada], dir)
      expect(result).toMatchObject({ code: 0, stdout: `destroyed 3 sessions of user ${ada}\n`, stderr: '' })
      for (const device of devices) expect(await userOf(device)).toBe(null)
      expect(await userOf(bobs)).toBe(bob)
      expect(JSON.parse((await sess(['list', '--user', ada, '--json'], dir)).stdout).sessions).toEqual([])
      expect(JSON.parse((await sess(['destroy', '--user', ada, '--json'], dir)).stdout)).toEqual({
        store: engine.name,
        user: ada,
        removed: 0,
      })
    })

    it('destroy --user --except HANDLE: signs out everywhere else', async () => {
      const ada = user()
      const [kept, ...others] = [await signIn(ada), await signIn(ada), await signIn(ada)]
      const result = await sess(['destroy', '--user', ada, '--except', kept!.handle, '--json'], dir)
      expect(result.code, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toEqual({ store: engine.name, user: ada, except: kept!.handle, removed: 2 })
      expect(await userOf(kept!)).toBe(ada)
      for (const device of others) expect(await userOf(device)).toBe(null)
      expect(
        JSON.parse((await sess(['list', '--user', ada, '--json'], dir)).stdout).sessions.map((s: { handle: string }) => s.handle),
      ).toEqual([kept!.handle])
    })

    it('destroy --user --handle HANDLE: signs out that device only; a second time destroys nothing (exit 0)', async () => {
      const ada = user()
      const [phone, laptop] = [await signIn(ada), await signIn(ada)]
      expect(await sess(['destroy', '--user', ada, '--handle', phone!.handle], dir)).toMatchObject({
        code: 0,
        stdout: `destroyed session ${phone!.handle} of user ${ada}\n`,
      })
      expect(await userOf(phone!)).toBe(null)
      expect(await userOf(laptop!)).toBe(ada)
      const again = await sess(['destroy', '--user', ada, '--handle', phone!.handle, '--json'], dir)
      expect(again.code).toBe(0)
      expect(JSON.parse(again.stdout)).toEqual({ store: engine.name, user: ada, handle: phone!.handle, removed: 0 })
      // Another user's handle names nothing of this user.
      const bob = user()
      const bobs = await signIn(bob)
      expect(JSON.parse((await sess(['destroy', '--user', ada, '--handle', bobs.handle, '--json'], dir)).stdout).removed).toBe(0)
      expect(await userOf(bobs)).toBe(bob)
    })

    it('stats: the live sessions the storage holds, as text and JSON', async () => {
      const json = await sess(['stats', '--json'], dir)
      expect(json.code, json.stderr).toBe(0)
      const stats = JSON.parse(json.stdout)
      expect(stats).toEqual({
        store: engine.name,
        sessions: expect.any(Number),
        signedIn: expect.any(Number),
        earliestExpiry: expect.any(String),
        latestExpiry: expect.any(String),
        bytes: expect.toBeOneOf([null, expect.any(Number)]),
      })
      // Count what this file's tests left live: every seeded session is signed in (anonymous ones are added below).
      clock += 1000
      const anonymous = sessions.load(null)
      await anonymous.set('cart', [])
      await sessions.commit(anonymous, { status: 200 })
      const after = JSON.parse((await sess(['stats', '--json'], dir)).stdout)
      expect(after.sessions).toBe(stats.sessions + 1)
      expect(after.signedIn).toBe(stats.signedIn)
      expect(Date.parse(after.latestExpiry)).toBeGreaterThanOrEqual(Date.parse(stats.latestExpiry))
      const text = await sess(['stats'], dir)
      expect(text.code).toBe(0)
      expect(lines(text.stdout)).toEqual([
        `store            ${engine.name}`,
        `sessions         ${after.sessions}`,
        `signed in        ${after.signedIn}`,
        expect.stringMatching(/^earliest expiry {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        expect.stringMatching(/^latest expiry {4}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
        after.bytes === null ? 'bytes            unknown (the engine cannot tell)' : `bytes            ${after.bytes}`,
      ])
    })

    it(
      engine.purge
        ? 'clear-expired: removes exactly the expired sessions'
        : 'clear-expired: nothing to clear (the storage expires sessions itself), exit 0',
      async () => {
        const past = Date.now() - 24 * 3_600_000
        const old = await engine.open(dir, { now: () => past, maxAge: 60 })
        saves.push(old)
        for (let i = 0; i < 3; i++) {
          const s = old.load(null)
          await s.set('cart', [String(i)])
          await old.commit(s, { status: 200 })
        }
        const live = await signIn(user())
        const result = await sess(['clear-expired', '--json'], dir)
        expect(result.code, result.stderr).toBe(0)
        if (engine.purge) expect(JSON.parse(result.stdout)).toEqual({ store: engine.name, removed: 3 })
        else expect(JSON.parse(result.stdout)).toEqual({ store: engine.name, removed: null, note: expect.stringContaining('by itself') })
        expect(await userOf(live)).not.toBe(null)
        if (engine.purge) expect(await sess(['clear-expired'], dir)).toMatchObject({ code: 0, stdout: 'removed 0 expired sessions\n' })
      },
    )
  })
}
