/** Every error code the API emits is in docs/errors.md. */
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { apiConfigVariables } from '../../src/config.ts'

const src = fileURLToPath(new URL('../../src/', import.meta.url))

/** the API's source files (TypeScript, and plain modules such as the database's worker) */
function files(p: string): string[] {
  if (statSync(p).isDirectory()) return readdirSync(p).flatMap((f) => files(join(p, f)))
  return /\.(ts|mjs)$/.test(p) && !p.endsWith('.test.ts') ? [p] : []
}

describe('docs/errors.md', () => {
  it('lists every code the API emits', () => {
    const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8')
    const codes = new Set<string>()
    for (const f of files(src))
      for (const m of readFileSync(f, 'utf8').matchAll(
        /'((?:AUTH|API|CONFIG|DATA_DIR)_[A-Z_]+|INTERNAL)'/g,
      ))
        codes.add(m[1])
    for (const v of apiConfigVariables) codes.delete(v.name) // variable names, not codes
    expect(codes.size).toBeGreaterThan(10)
    for (const c of codes) expect(doc, c).toContain(`| \`${c}\` |`)
  })
})
