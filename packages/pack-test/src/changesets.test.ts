import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import parseChangeset from '@changesets/parse'
import { describe, expect, it } from 'vitest'
import { publishablePackages, ROOT } from './workspace.js'

const dir = join(ROOT, '.changeset')
const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md')
const published = new Set(publishablePackages().map((p) => p.manifest.name))

describe('changesets', () => {
  it.each(files)('%s parses and releases only publishable packages', (file) => {
    const { releases, summary } = parseChangeset(readFileSync(join(dir, file), 'utf8'))
    expect(releases.length).toBeGreaterThan(0)
    expect(releases.filter((r) => !published.has(r.name))).toEqual([])
    expect(summary.trim()).not.toBe('')
  })
})
