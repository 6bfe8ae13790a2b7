import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AppError } from '@rere/contract'
import { parseFlowsheet } from './index.ts'

const DIR = new URL('./fixtures/ahuora/', import.meta.url)
const BASES = ['pump', 'header', 'heat_exchanger', 'constraints', 'mass_flow_tear'].map(
  (n) => JSON.parse(readFileSync(new URL(`${n}.json`, DIR), 'utf8')) as unknown,
)

/** every path (list of keys) of a JSON tree */
function paths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at)
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out))
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out)
  return out
}

function replaced(doc: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value
  const copy = structuredClone(doc) as Record<string | number, unknown>
  let node = copy
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>
  const last = path[path.length - 1] as string | number
  if (value === undefined) delete node[last]
  else node[last] = value
  return copy
}

describe('parseFlowsheet on mutated documents', () => {
  it('either parses or throws a 400 AppError with details.path, never anything else', () => {
    const junk = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ min: -5, max: 1e6 }),
      fc.double(),
      fc.constantFrom('', 'kPa', 'degC', 'x', 'id_1 +', 'kg**', 'pump', 'inlet', '-1', 'NaN'),
      fc.boolean(),
      fc.constant([]),
      fc.constant({}),
      fc.array(fc.integer(), { maxLength: 3 }),
    )
    fc.assert(
      fc.property(fc.nat(BASES.length - 1), fc.nat(), junk, (b, pick, value) => {
        const base = BASES[b]
        const ps = paths(base)
        const doc = replaced(base, ps[pick % ps.length] as (string | number)[], value)
        try {
          parseFlowsheet(doc)
        } catch (e) {
          expect(e).toBeInstanceOf(AppError)
          const err = e as AppError
          expect(err.statusCode).toBe(400)
          expect(typeof err.details?.path).toBe('string')
        }
      }),
      { numRuns: 1000, seed: 42 },
    )
  })
})
