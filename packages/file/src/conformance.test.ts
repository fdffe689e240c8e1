import { describeEngine, describeStore } from '@sess/engine-tests'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { fileEngine } from './index.js'

const root = mkdtempSync(join(tmpdir(), 'sess-file-conformance-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const dir = join(root, 'engine')
describeEngine('file', {
  create: () => fileEngine({ dir }),
  reopen: () => fileEngine({ dir }),
})

describeStore('file', { create: () => fileEngine({ dir: join(root, 'store') }) })
