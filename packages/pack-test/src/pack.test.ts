import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inApp, installApp, writeTsconfig } from './app.js'
import { ENGINE_TESTS_README, exampleCode, MY_ENGINE, program, QUICK_STARTS, quickStartCode, TYPED_EXAMPLES } from './quick-starts.js'
import { manifestTargets, pack, publishablePackages, ROOT } from './workspace.js'

const packages = publishablePackages()
const work = mkdtempSync(join(tmpdir(), 'sess-pack-'))
const app = join(work, 'app')
let esmErrors: string[] = []
let cjsErrors: string[] = []
const MODULES = [
  ['esm', 'ts', 'js'],
  ['cjs', 'cts', 'cjs'],
] as const
/** The errors of a tsc run in the quick starts or in @sess's own .d.ts (other packages' .d.ts are not ours to fix). */
/** A TS7016 line for one of a quick start's declared untyped imports (see QuickStart.untypedImports). */
function untyped(line: string, ext: 'ts' | 'cts'): boolean {
  return QUICK_STARTS.some(
    (q) =>
      q.untypedImports !== undefined &&
      line.startsWith(`${q.name}.${ext}(`) &&
      line.includes('error TS7016:') &&
      q.untypedImports.modules.some((m) => line.includes(`module '${m}'`)),
  )
}

async function typeErrors(tsconfig: string): Promise<string[]> {
  const { stdout, stderr } = await inApp(app, 'npx', ['tsc', '-p', tsconfig])
  const errors = `${stdout}\n${stderr}`.split('\n').filter((line) => /^\S.*\(\d+,\d+\): error TS/.test(line))
  return errors.filter((line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@sess/'))
}

beforeAll(async () => {
  // What `pnpm publish` would ship is built from the current sources (turbo replays an unchanged build).
  execFileSync('pnpm', ['build'], { cwd: ROOT, stdio: 'pipe' })
  const tarballs = join(work, 'tarballs')
  mkdirSync(tarballs)
  mkdirSync(join(app, 'var'), { recursive: true })
  const packed: Record<string, string> = {}
  for (const { dir, manifest } of packages) packed[manifest.name] = pack(dir, tarballs)
  await installApp(app, packed)

  for (const quickStart of QUICK_STARTS)
    for (const [module, ext] of MODULES) writeFileSync(join(app, `${quickStart.name}.${ext}`), program(quickStart, module))
  for (const { name, readme, contains } of TYPED_EXAMPLES) writeFileSync(join(app, `${name}.ts`), exampleCode(readme, contains))
  writeFileSync(join(app, 'my-engine.ts'), MY_ENGINE)
  writeFileSync(join(app, 'engine-tests.test.ts'), quickStartCode(ENGINE_TESTS_README))
  // One project per module kind, as a user has: an app is ESM or CommonJS (both at once load each package's types twice).
  writeTsconfig(app, 'tsconfig.esm.json', 'node16', ['*.ts'])
  writeTsconfig(app, 'tsconfig.cjs.json', 'node16', ['*.cts'])
  writeTsconfig(app, 'tsconfig.bundler.json', 'bundler', ['*.ts'])
  // tsc writes the programs to out/ whatever it finds; the type errors are the next tests' business.
  esmErrors = await typeErrors('tsconfig.esm.json')
  // ESM-only frameworks reach CommonJS through require(esm), which node16 typing reports as TS1479 (see QuickStart).
  const esmOnly = QUICK_STARTS.filter((q) => q.esmOnlyFramework !== undefined).flatMap((q) => [
    `${q.name}.cts(`,
    ...q.packages.map((p) => `node_modules/@sess/${p}/dist/index.d.cts(`),
  ])
  cjsErrors = (await typeErrors('tsconfig.cjs.json')).filter(
    (line) => !(line.includes('error TS1479:') && esmOnly.some((prefix) => line.startsWith(prefix))),
  )
  esmErrors = esmErrors.filter((line) => !untyped(line, 'ts'))
  cjsErrors = cjsErrors.filter((line) => !untyped(line, 'cts'))
})

// SESS_PACK_KEEP=1 keeps the tarballs and the app for a look (the path is printed).
afterAll(() => (process.env.SESS_PACK_KEEP ? console.log(`pack-test app kept in ${app}`) : rmSync(work, { recursive: true, force: true })))

describe('what npm installs from the tarballs', () => {
  it('every publishable package has a README quick start here', () => {
    const covered = new Set([...QUICK_STARTS.flatMap((q) => q.packages), 'engine-tests'])
    expect(packages.map((p) => p.dir).filter((dir) => !covered.has(dir))).toEqual([])
  })

  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    '%s: every file its manifest names is installed, and no test file',
    (name, { manifest }) => {
      const installed = join(app, 'node_modules', name)
      expect(manifestTargets(manifest).filter((target) => !existsSync(join(installed, target)))).toEqual([])
      const files = (readdirSync(installed, { recursive: true }) as string[]).map((f) => f.replaceAll('\\', '/'))
      expect(files.filter((f) => /(^|\/)(test-[^/]*|[^/]*\.test(-d)?\.ts)$/.test(f) && !f.startsWith('node_modules/'))).toEqual([])
    },
  )

  it.each(packages.map((p) => [p.manifest.name, p] as const))(
    '%s: no workspace: or catalog: range is left in the installed manifest',
    (name) => {
      const text = readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')
      expect(text).not.toMatch(/"(workspace|catalog):/)
    },
  )

  it.each(packages.flatMap((p) => Object.keys(p.manifest.bin ?? {}).map((bin) => [bin, p.manifest.name] as const)))(
    'the %s bin of %s runs from node_modules/.bin (--help exits 0 and prints its usage)',
    async (bin) => {
      const { code, stdout, stderr } = await inApp(app, join('node_modules', '.bin', bin), ['--help'])
      expect(code, stderr).toBe(0)
      expect(stdout).toMatch(new RegExp(`^usage: ${bin} `))
    },
  )

  it('the quick starts type-check as ESM with node16 resolution, the packages’ .d.ts included', () => {
    expect(esmErrors).toEqual([])
  })

  it('the quick starts type-check as CommonJS with node16 resolution, the packages’ .d.cts included', () => {
    expect(cjsErrors).toEqual([])
  })

  it('the quick starts type-check with bundler resolution', async () => {
    expect((await typeErrors('tsconfig.bundler.json')).filter((line) => !untyped(line, 'ts'))).toEqual([])
  })

  describe.each(QUICK_STARTS.map((q) => [q.readme, q] as const))('the quick start of %s', (_readme, quickStart) => {
    it.each(MODULES.map(([module, , out]) => [module, out] as const))('runs as %s', async (_module, out) => {
      const { code, stdout, stderr } = await inApp(app, process.execPath, [join('out', `${quickStart.name}.${out}`)], quickStart.env)
      expect(code, stderr).toBe(0)
      expect(stderr).toBe('')
      const lines = stdout.trim().split('\n')
      expect(JSON.parse(lines.at(-1)!)).toMatchObject(quickStart.expected as object)
    })
  })

  it(`the quick start of ${ENGINE_TESTS_README} runs the conformance suites under vitest`, async () => {
    const { code, stdout, stderr } = await inApp(app, 'npx', ['vitest', 'run', '--root', '.', 'engine-tests.test.ts'], { CI: 'true' })
    expect(code, `${stdout}\n${stderr}`).toBe(0)
    expect(`${stdout}\n${stderr}`).toMatch(/Tests\s+\d+ passed/)
  })
})
