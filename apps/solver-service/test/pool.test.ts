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

describe('inline solves (inlineMaxMs)', () => {
  // generous limit: on a busy machine the pump sheet must still count as quick
  let quick: InProcessSolver
  beforeAll(async () => {
    quick = createInProcessSolver({ workers: 1, timeoutMs: 10_000, inlineMaxMs: 50 })
    await quick.warmUp()
  }, 60_000)
  afterAll(() => quick.close())

  const withoutTiming = ({ timing: _t, ...r }: Record<string, unknown>) => r

  it('solves a named document on a worker first, then in this thread, with the same reply', async () => {
    const before = quick.stats()
    const first = await quick.solve(warmUpDocument(), { fullState: true, docKey: 'pump:1' })
    expect(quick.stats().inline).toBe(before.inline)
    const second = await quick.solve(warmUpDocument(), { fullState: true, docKey: 'pump:1' })
    expect(quick.stats().inline).toBe(before.inline + 1)
    expect(quick.stats().completed).toBe(before.completed + 2)
    expect(quick.stats().inFlight).toBe(0)
    expect(second.status).toBe('success')
    expect(withoutTiming(second as never)).toEqual(withoutTiming(first as never))
    const pump = second.unitResults?.find((u) => u.type === 'pump')
    expect(pump?.values.work_mechanical).toBeCloseTo(3707.55, 1)
  })

  it('never solves a document without a key in this thread', async () => {
    const before = quick.stats().inline
    for (let i = 0; i < 3; i++) expect((await quick.solve(warmUpDocument())).status).toBe('success')
    expect(quick.stats().inline).toBe(before)
  })

  it('keeps slower documents on the workers', async () => {
    const strict = createInProcessSolver({ workers: 1, inlineMaxMs: 1e-6 })
    try {
      for (let i = 0; i < 3; i++) await strict.solve(warmUpDocument(), { docKey: 'k' })
      expect(strict.stats()).toMatchObject({ inline: 0, completed: 3 })
    } finally {
      await strict.close()
    }
  })

  it('gives an unsolvable sheet the same error reply inline', async () => {
    const doc = () => {
      const d = warmUpDocument() as { unit_models: { ports: { outlet: { properties: object } } }[] }
      d.unit_models[0].ports.outlet.properties = {}
      return d
    }
    const before = quick.stats().inline
    const a = await quick.solve(doc(), { docKey: 'bad:1' })
    const b = await quick.solve(doc(), { docKey: 'bad:1' })
    expect(quick.stats().inline).toBe(before + 1)
    expect(a.status).toBe('error')
    expect(b.error).toEqual(a.error)
  })

  it('a malformed document is rejected every time, on the workers', async () => {
    const before = quick.stats().inline
    for (let i = 0; i < 2; i++) {
      const err = await quick
        .solve({ unit_models: 'nope' }, { docKey: 'malformed' })
        .catch((e) => e)
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).statusCode).toBe(400)
    }
    expect(quick.stats().inline).toBe(before)
  })

  it('honours a caller abort before an inline solve', async () => {
    await quick.solve(warmUpDocument(), { docKey: 'abort:1' })
    const ac = new AbortController()
    ac.abort()
    const before = quick.stats().inline
    const err = await quick
      .solve(warmUpDocument(), { docKey: 'abort:1', signal: ac.signal })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SOLVER_ABORTED' })
    expect(quick.stats().inline).toBe(before)
  })
})
