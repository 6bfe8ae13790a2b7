/**
 * A scripted Solver for shell tests (no worker threads): answers the catalogue with a pump, records
 * the options (request ids) it was called with, and can be slowed down.
 */
import type { Catalogue, Solver, SolverCallOptions, SolveReply } from '@rere/contract'

export interface FakeSolver extends Solver {
  calls: { op: string; opts?: SolverCallOptions }[]
  delayMs: number
}

export const FAKE_CATALOGUE: Catalogue = {
  units: [
    {
      type: 'pump',
      displayName: 'Pump',
      description: 'fake pump',
      ports: [
        { name: 'inlet', direction: 'inlet', properties: [] },
        { name: 'outlet', direction: 'outlet', properties: [] },
      ],
      properties: [
        {
          key: 'efficiency_pump',
          displayName: 'Efficiency',
          unit: 'dimensionless',
          default: 0.75,
          fixed: true,
          quantity: 'dimensionless',
        },
      ],
    },
  ],
  propertyPackages: [{ name: 'helmholtz', compounds: ['water'], version: 'fake' }],
}

export function createFakeSolver(delayMs = 0): FakeSolver {
  const wait = () => new Promise((r) => setTimeout(r, f.delayMs))
  const f: FakeSolver = {
    calls: [],
    delayMs,
    async solve(_doc, opts) {
      f.calls.push({ op: 'solve', opts })
      await wait()
      const reply: SolveReply = {
        status: 'success',
        error: null,
        timing: { totalMs: 0.1, phases: {} },
        log: [],
        flowsheet: { id: 0, properties: [] },
      }
      return reply
    },
    async buildState(_doc, opts) {
      f.calls.push({ op: 'buildState', opts })
      return []
    },
    async analyze(_doc, opts) {
      f.calls.push({ op: 'analyze', opts })
      return { status: 'square', dof: 0, message: 'ok', units: [] }
    },
    async catalogue(opts) {
      f.calls.push({ op: 'catalogue', opts })
      await wait()
      return FAKE_CATALOGUE
    },
    async envelope(pkg, compound, opts) {
      f.calls.push({ op: 'envelope', opts })
      return {
        package: pkg,
        compound: compound ?? 'water',
        critical: { T: 647.096, P: 22.064e6, rho: 322, h: 0, s: 0 },
        points: [],
      }
    },
    async close() {},
  }
  return f
}
