import { AppError } from '@rere/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createInProcessSolver, type InProcessSolver } from '../src/pool.ts'
import { warmUpDocument } from '../src/warmup-doc.ts'

// The worker-thread pool with the real solver: the Rere pump sheet, errors, concurrency.
let solver: InProcessSolver
beforeAll(async () => {
  solver = createInProcessSolver({ workers: 2, timeoutMs: 10_000 })
  await solver.warmUp()
}, 60_000)
afterAll(() => solver.close())

describe('in-process solver pool', () => {
  it('solves the Rere pump sheet on a worker thread with full state', async () => {
    const r = await solver.solve(warmUpDocument(), { fullState: true })
    expect(r.status).toBe('success')
    const outlet = r.ports?.find((p) => p.port === 'outlet')
    expect(outlet?.temperature).toBeCloseTo(353.1801, 3)
    expect(outlet?.enthMol).toBeCloseTo(6039.8, 1)
    const pump = r.unitResults?.find((u) => u.type === 'pump')
    expect(pump?.values.work_mechanical).toBeCloseTo(3707.55, 1)
  })

  it('rejects a malformed document with the AppError the worker raised', async () => {
    const err = await solver.solve({ unit_models: 'nope' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).statusCode).toBe(400)
    expect((err as AppError).code).toMatch(/^FLOWSHEET_/)
  })

  it('returns status error (not a throw) for an unsolvable sheet', async () => {
    const doc = warmUpDocument() as { unit_models: { ports: { outlet: { properties: object } } }[] }
    doc.unit_models[0].ports.outlet.properties = {}
    const r = await solver.solve(doc)
    expect(r.status).toBe('error')
    expect(r.error?.code).toBe('FLOWSHEET_UNDERSPECIFIED')
  })

  it('runs 40 concurrent solves, all correct, and counts them', async () => {
    const before = solver.stats().completed
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => solver.solve(warmUpDocument())),
    )
    expect(replies.every((r) => r.status === 'success')).toBe(true)
    expect(solver.stats().completed - before).toBe(40)
    expect(solver.stats().inFlight).toBe(0)
  })

  it('caches the catalogue and serves the envelope', async () => {
    const a = await solver.catalogue()
    expect(a.units.map((u) => u.type)).toContain('pump')
    expect(await solver.catalogue()).toBe(a)
    const env = await solver.envelope('helmholtz', 'water')
    expect(env.points.length).toBeGreaterThan(10)
    expect(env.critical.T).toBeCloseTo(647.096, 3)
    expect(await solver.envelope('helmholtz', 'water')).toBe(env)
  })

  it('honours a caller abort', async () => {
    const ac = new AbortController()
    ac.abort()
    const err = await solver.solve(warmUpDocument(), { signal: ac.signal }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SOLVER_ABORTED' })
  })
})
