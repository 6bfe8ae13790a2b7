/**
 * Bad or odd input never crashes the solver: every mutated Ahuora case either throws an AppError
 * (400) or returns a reply whose values are finite numbers or null, and error replies carry a
 * stable code.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { AppError } from '@rere/contract'
import { analyzeDocument, solveDocument } from '../src/index.ts'

const dir = new URL('./fixtures/ahuora/', import.meta.url)
const CASES = [
  'compressor',
  'heat_pump',
  'mixer',
  'vapor_frac_target',
  'mass_flow_tear',
  'heat_exchanger',
]
const docs = CASES.map(
  (c) => JSON.parse(readFileSync(new URL(`${c}.json`, dir), 'utf8')) as unknown,
)

/** every property-value `data` entry of a document */
function entries(doc: unknown): { value?: unknown }[] {
  const out: { value?: unknown }[] = []
  const walk = (o: unknown) => {
    if (Array.isArray(o)) o.forEach(walk)
    else if (o && typeof o === 'object') {
      const r = o as Record<string, unknown>
      if (Array.isArray(r.data))
        for (const d of r.data) if (d && typeof d === 'object') out.push(d as { value?: unknown })
      Object.values(r).forEach(walk)
    }
  }
  walk(doc)
  return out
}

describe('robustness', () => {
  it('mutated documents: an AppError or a clean reply, never a crash or NaN', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: docs.length - 1 }),
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.oneof(
              fc.constant(null),
              fc.double({ min: -1e7, max: 1e8, noNaN: true }),
              fc.constant(0),
            ),
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        (k, muts) => {
          const doc = structuredClone(docs[k]) as unknown
          const es = entries(doc)
          for (const [i, v] of muts) {
            const e = es[i % es.length]
            if (v === null) delete e.value
            else e.value = v
          }
          let reply
          try {
            reply = solveDocument(doc, { fullState: true })
            analyzeDocument(doc)
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(AppError)
            expect((e as AppError).statusCode).toBeLessThan(500)
            return
          }
          if (reply.status === 'error') expect(reply.error?.code).toMatch(/^[A-Z]+_[A-Z_]+$/)
          for (const port of reply.ports ?? [])
            for (const v of Object.values(port))
              if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true)
          for (const u of reply.unitResults ?? [])
            for (const v of Object.values(u.values)) expect(Number.isFinite(v)).toBe(true)
          for (const p of reply.flowsheet.properties)
            if (Array.isArray(p.value))
              for (const v of p.value) expect(Number.isFinite(v)).toBe(true)
        },
      ),
      { numRuns: 80, seed: 7 },
    )
  })
})
