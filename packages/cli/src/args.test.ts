import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appDir, lines, sess, writeFile } from './test-bin.js'

/** An app directory whose config module leaves a marker file when it is imported (it must not be, on a usage error). */
function watchedApp(): { dir: string; loaded: () => boolean } {
  const dir = appDir()
  const marker = join(dir, 'loaded')
  writeFile(
    dir,
    'sess.config.mjs',
    `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(marker)}, '')\nexport const sessions = {}\n`,
  )
  return { dir, loaded: () => existsSync(marker) }
}

describe('sess: the command line', () => {
  it('--help prints the usage on stdout and exits 0', async () => {
    const { dir } = watchedApp()
    const result = await sess(['--help'], dir)
    expect(result).toMatchObject({ code: 0, stderr: '' })
    expect(result.stdout).toMatch(/^usage: sess <command> \[options\]\n/)
    for (const command of [
      'clear-expired',
      'list --user ID',
      'destroy --user ID',
      '--except HANDLE',
      '--handle HANDLE',
      'stats',
      '--config',
      '--json',
    ])
      expect(result.stdout).toContain(command)
  })

  it.each([
    [['destroy', '--user', '-1', '--handle', '-AbCdEfGhIjKlMnO']],
    [['destroy', '--user', '-1', '--except', '-AbCdEfGhIjKlMnO', '--json']],
    [['list', '--user', '--x']],
  ])('%j: a user id or handle that starts with a dash is a value, not an option (the config is loaded)', async (args) => {
    const { dir, loaded } = watchedApp()
    const result = await sess(args, dir)
    // The watched config exports no Sessions object: the failure comes after the arguments were accepted.
    expect(lines(result.stderr)).toEqual(['sess: its sessions export in sess.config.mjs is not a Sessions object made by createSessions()'])
    expect(loaded()).toBe(true)
  })

  it.each([
    [[], 'no command given'],
    [['frob'], 'unknown command "frob"'],
    [['stats', '--force'], "Unknown option '--force'"],
    [['stats', 'extra'], 'stats takes no argument "extra" (options are --flags)'],
    [['list'], 'list needs --user ID'],
    [['list', '--user'], "Option '--user <value>' argument missing"],
    [['list', '--user', ''], '--user needs a value'],
    [['destroy'], 'destroy needs --user ID'],
    [['stats', '--user', 'ada'], 'stats takes no --user'],
    [['clear-expired', '--handle', 'AAAAAAAAAAAAAAAA'], 'clear-expired takes no --handle'],
    [['list', '--user', 'ada', '--except', 'AAAAAAAAAAAAAAAA'], 'list takes no --except'],
    [['destroy', '--user', 'ada', '--except', 'AAAAAAAAAAAAAAAA', '--handle', 'BBBBBBBBBBBBBBBB'], 'not both'],
    [['destroy', '--user', 'ada', '--handle', 'not-a-handle'], '--handle "not-a-handle" is not a session handle'],
    [['destroy', '--user', 'ada', '--except', 'AAAAAAAAAAAAAAA='], '--except "AAAAAAAAAAAAAAA=" is not a session handle'],
  ])('%j → one line and the usage on stderr, exit 2, before the config is loaded', async (args, message) => {
    const { dir, loaded } = watchedApp()
    const result = await sess(args, dir)
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    const [first, blank, usage] = lines(result.stderr)
    expect(first).toMatch(/^sess: /)
    expect(first).toContain(message)
    expect(blank).toBe('')
    expect(usage).toBe('usage: sess <command> [options]')
    expect(result.stderr).not.toMatch(/^\s+at /m)
    expect(loaded()).toBe(false)
  })
})
