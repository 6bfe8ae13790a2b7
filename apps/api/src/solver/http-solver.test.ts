import { AppError, type Solver, type SolveReply } from '@rere/contract'
import { buildSolverApp } from '@rere/solver-service'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpSolver } from './http-solver.ts'

// The HTTP adapter against the real solver-service routes (with a fake solver behind them).
const reply = (status: 'success' | 'error'): SolveReply => ({
  status,
  error:
    status === 'error'
      ? { code: 'FLOWSHEET_UNDERSPECIFIED', message: 'add outlet pressure', details: { unitId: 8 } }
      : null,
  timing: { totalMs: 0.05, phases: {} },
  log: [],
  flowsheet: { id: 0, properties: [] },
})
const requestIds: (string | undefined)[] = []
const fake: Solver = {
  async solve(doc, opts) {
    requestIds.push(opts?.requestId)
    const kind = (doc as { kind: string }).kind
    if (kind === 'slow') await new Promise((r) => setTimeout(r, 400))
    if (kind === 'bad')
      throw new AppError('FLOWSHEET_INVALID', 'arc 7 points to a missing port', {
        details: { path: 'arcs[0].destination' },
      })
    return reply(kind === 'unsolvable' ? 'error' : 'success')
  },
  async buildState() {
    return [{ id: 3, name: 'vapor_frac', value: [0], unit: 'dimensionless' }]
  },
  async analyze() {
    return {
      status: 'underspecified',
      dof: 1,
      message: 'Pump-1: add one of pressure, deltaP',
      units: [],
    }
  },
  async catalogue() {
    return {
      units: [],
      propertyPackages: [{ name: 'helmholtz', compounds: ['water'], version: 'x' }],
    }
  },
  async envelope(pkg, compound) {
    return {
      package: pkg,
      compound: compound ?? 'water',
      critical: { T: 1, P: 1, rho: 1, h: 1, s: 1 },
      points: [],
    }
  },
  async close() {},
}

let app: FastifyInstance
let url: string
beforeAll(async () => {
  app = await buildSolverApp({
    solver: fake,
    stats: () => ({ workers: 1, inFlight: 0, queued: 0, completed: 0, inline: 0 }),
    logLevel: 'silent',
  })
  url = await app.listen({ port: 0, host: '127.0.0.1' })
})
afterAll(() => app.close())

describe('HTTP Solver adapter', () => {
  it('returns the completion payload for 200 and 422 and forwards the request id', async () => {
    const s = createHttpSolver({ url })
    expect((await s.solve({ kind: 'ok' }, { requestId: 'r-1', fullState: true })).status).toBe(
      'success',
    )
    const failed = await s.solve({ kind: 'unsolvable' })
    expect(failed.status).toBe('error')
    expect(failed.error?.details).toEqual({ unitId: 8 })
    expect(requestIds[0]).toBe('r-1')
    await s.close()
  })

  it('turns a 400 into an AppError with the service code and details', async () => {
    const s = createHttpSolver({ url })
    const err = await s.solve({ kind: 'bad' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'FLOWSHEET_INVALID',
      statusCode: 400,
      details: { path: 'arcs[0].destination' },
    })
    await s.close()
  })

  it('passes build_state, analyze, catalogue and envelope through', async () => {
    const s = createHttpSolver({ url: url + '/' })
    expect(await s.buildState({})).toEqual([
      { id: 3, name: 'vapor_frac', value: [0], unit: 'dimensionless' },
    ])
    expect((await s.analyze({})).dof).toBe(1)
    expect((await s.catalogue()).propertyPackages[0].name).toBe('helmholtz')
    expect((await s.envelope('helmholtz', 'water')).compound).toBe('water')
    await s.close()
  })

  it('gives SOLVER_TIMEOUT (504) past the time limit', async () => {
    const s = createHttpSolver({ url, timeoutMs: 100 })
    const err = await s.solve({ kind: 'slow' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SOLVER_TIMEOUT', statusCode: 504 })
    await s.close()
  })

  it('gives SOLVER_UNAVAILABLE (503) when nothing listens', async () => {
    const s = createHttpSolver({ url: 'http://127.0.0.1:9', timeoutMs: 2000 })
    const err = await s.solve({ kind: 'ok' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'SOLVER_UNAVAILABLE', statusCode: 503 })
    await s.close()
  })
})
