import { AppError, type Solver, type SolveReply } from '@rere/contract'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildSolverApp } from './app.ts'

// The routes against a fake Solver: status codes, error bodies, limits, metrics, readiness.
const solved: SolveReply = {
  status: 'success',
  error: null,
  timing: { totalMs: 0.1, phases: {} },
  log: [],
  flowsheet: { id: 0, properties: [{ id: 1, name: 'x', value: [1], unit: 'K' }] },
}
const seen: { requestId?: string; fullState?: boolean }[] = []
const fake: Solver = {
  async solve(doc, opts) {
    seen.push({ requestId: opts?.requestId, fullState: opts?.fullState })
    const d = doc as { kind?: string }
    if (d.kind === 'bad')
      throw new AppError('FLOWSHEET_INVALID', 'unit_models must be a list', {
        details: { path: 'unit_models' },
      })
    if (d.kind === 'unsolvable')
      return {
        ...solved,
        status: 'error',
        error: {
          code: 'FLOWSHEET_UNDERSPECIFIED',
          message: 'Pump-1 needs one more specification',
          details: { unitId: 1 },
        },
      }
    if (d.kind === 'boom') throw new Error('secret internals')
    return solved
  },
  async buildState() {
    return [{ id: 1, name: 'T', value: [373.15], unit: 'K' }]
  },
  async analyze() {
    return { status: 'square', dof: 0, message: 'square', units: [] }
  },
  async catalogue() {
    return { units: [], propertyPackages: [] }
  },
  async envelope(pkg) {
    if (pkg !== 'helmholtz')
      throw new AppError('THERMO_BAD_INPUT', `unknown package ${pkg}`, {
        details: { field: 'package' },
      })
    return {
      package: pkg,
      compound: 'water',
      critical: { T: 647.096, P: 22.064e6, rho: 322, h: 0, s: 0 },
      points: [],
    }
  },
  async close() {},
}

let ready = false
const app = await buildSolverApp({
  solver: fake,
  stats: () => ({ workers: 2, inFlight: 0, queued: 0, completed: 0, inline: 0 }),
  bodyLimitBytes: 2048,
  logLevel: 'silent',
  isReady: () => ready,
})
beforeAll(() => app.ready())
afterAll(() => app.close())

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    payload: payload as string,
    headers: { 'content-type': 'application/json', ...headers },
  })

describe('solver service routes', () => {
  it('200 with the completion payload when solved; passes x-request-id and full_state', async () => {
    const r = await post('/solve?full_state=true', { kind: 'ok' }, { 'x-request-id': 'req-42' })
    expect(r.statusCode).toBe(200)
    expect(r.json().status).toBe('success')
    expect(r.headers['x-request-id']).toBe('req-42')
    expect(seen.at(-1)).toEqual({ requestId: 'req-42', fullState: true })
  })

  it('422 with the same payload when the solver cannot solve', async () => {
    const r = await post('/solve', { kind: 'unsolvable' })
    expect(r.statusCode).toBe(422)
    expect(r.json()).toMatchObject({ status: 'error', error: { code: 'FLOWSHEET_UNDERSPECIFIED' } })
  })

  it('400 with code and path for a malformed document', async () => {
    const r = await post('/solve', { kind: 'bad' })
    expect(r.statusCode).toBe(400)
    expect(r.json()).toEqual({
      statusCode: 400,
      code: 'FLOWSHEET_INVALID',
      message: 'unit_models must be a list',
      details: { path: 'unit_models' },
    })
  })

  it('400 SOLVER_BAD_JSON for broken JSON, 415 for other media, 413 over the body limit', async () => {
    const bad = await post('/solve', '{"unit_models": [')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('SOLVER_BAD_JSON')
    const media = await app.inject({
      method: 'POST',
      url: '/solve',
      payload: 'x',
      headers: { 'content-type': 'text/plain' },
    })
    expect(media.statusCode).toBe(415)
    expect(media.json().code).toBe('SOLVER_UNSUPPORTED_MEDIA_TYPE')
    const big = await post('/solve', { pad: 'x'.repeat(5000) })
    expect(big.statusCode).toBe(413)
    expect(big.json().code).toBe('SOLVER_BODY_TOO_LARGE')
  })

  it('masks unexpected errors as 500 without internals', async () => {
    const r = await post('/solve', { kind: 'boom' })
    expect(r.statusCode).toBe(500)
    expect(r.body).not.toContain('secret')
    expect(r.json().code).toBe('SOLVER_INTERNAL')
  })

  it('serves build_state as a bare list, analyze, catalogue and envelope', async () => {
    const b = await post('/build_state', { any: 1 })
    expect(b.statusCode).toBe(200)
    expect(Array.isArray(b.json())).toBe(true)
    expect((await post('/analyze', {})).json().status).toBe('square')
    expect((await app.inject('/catalogue')).json()).toEqual({ units: [], propertyPackages: [] })
    expect((await app.inject('/envelope?package=helmholtz')).json().compound).toBe('water')
    const unknown = await app.inject('/envelope?package=propane')
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json().details.field).toBe('package')
  })

  it('404 JSON for unknown routes', async () => {
    const r = await app.inject('/nope')
    expect(r.statusCode).toBe(404)
    expect(r.json().code).toBe('SOLVER_ROUTE_NOT_FOUND')
  })

  it('readiness follows the gate; liveness does not', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200)
    expect((await app.inject('/readyz')).statusCode).toBe(503)
    ready = true
    expect((await app.inject('/readyz')).statusCode).toBe(200)
  })

  it('exposes Prometheus metrics with solve counts by status', async () => {
    const r = await app.inject('/metrics')
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/text\/plain/)
    expect(r.body).toMatch(/rere_solver_requests_total\{op="solve",status="success"\} 1/)
    expect(r.body).toMatch(/rere_solver_requests_total\{op="solve",status="error"\} 1/)
    expect(r.body).toMatch(/rere_solver_requests_total\{op="solve",status="invalid"\} 1/)
    expect(r.body).toMatch(
      /rere_solver_request_duration_seconds_bucket\{le="0.001",op="solve",status="success"\}/,
    )
    expect(r.body).toMatch(/^rere_solver_workers 2$/m)
    // every non-comment line is `name{labels} value`
    for (const line of r.body.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line).toMatch(/^[a-zA-Z_:][\w:]*(\{[^}]*\})? [-+0-9.eE]+|NaN|[+-]Inf$/)
  })
})
