import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const BUILTINS = [
  'fs',
  'path',
  'crypto',
  'os',
  'http',
  'https',
  'net',
  'buffer',
  'stream',
  'util',
  'events',
  'url',
  'child_process',
  'worker_threads',
  'process',
  'zlib',
  'tls',
  'dns',
]

describe('@sess/core runs on workers, Deno and Bun', () => {
  it('imports nothing from node: (or bare Node built-ins) outside tests', () => {
    const dir = new URL('.', import.meta.url).pathname
    const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('test-'))
    expect(sources.length).toBeGreaterThan(8)
    const offenders: string[] = []
    for (const file of sources) {
      const text = readFileSync(join(dir, file), 'utf8')
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
        const specifier = match[1]!
        if (specifier.startsWith('node:') || BUILTINS.includes(specifier.split('/')[0]!)) offenders.push(`${file}: ${specifier}`)
      }
      if (/\bBuffer\./.test(text)) offenders.push(`${file}: uses Buffer`)
    }
    expect(offenders).toEqual([])
  })
})
