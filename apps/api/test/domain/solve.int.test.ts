/**
 * Solve orchestration through the HTTP API with a scripted solver: the document sent, the stored
 * run, the reply in SI and the user's units, 422 naming the unit, pruning, concurrency.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, type TestUser } from '../harness.ts'
import { createDomainSolver, type DomainSolver } from './domain-solver.ts'
import { createPumpSheet, ok, prop, type SimulationObject } from './fixture.ts'

const KEEP = 5
let t: TestApp
let alice: TestUser
let solver: DomainSolver
beforeAll(async () => {
  solver = createDomainSolver()
  t = await createTestApp({ solver, config: { solveRunsKept: KEEP } })
  alice = t.user('alice@example.test')
})
afterAll(() => t?.close())

/** POST /api/solve/idaes/ as alice, expecting `status`. */
const solve = (flowsheetId: number, status = 200) =>
  ok<SolveResult>(alice, 'POST', '/api/solve/idaes/', { flowsheet_id: flowsheetId }, status)

/** The sheet's stored run ids, newest first, once background pruning has brought them to `n`. */
async function storedRuns(flowsheetId: number, n: number): Promise<number[]> {
  let ids: number[] = []
  for (let i = 0; i < 100; i++) {
    const rows = await t.database.db
      .selectFrom('solve_runs')
      .select('id')
      .where('flowsheet_id', '=', flowsheetId)
      .orderBy('id', 'desc')
      .execute()
    ids = rows.map((r) => Number(r.id))
    if (ids.length <= n) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return ids
}

interface SolveResult {
  id: number
  flowsheetId: number
  flowsheetVersion: number
  status: string
  error: { code: string; message: string; details: Record<string, unknown> } | null
  timing: { totalMs: number; solverMs: number; phases: Record<string, number> }
  streams: {
    streamId: number
    name: string
    temperature: number
    pressure: number
    phase: string
    display: Record<string, { value: number; unit: string }>
  }[]
  units: {
    unitId: number
    name: string
    type: string
    values: Record<string, number>
    unitsSI: Record<string, string>
    display: Record<string, { value: number; unit: string }>
  }[]
  properties: {
    id: number
    key: string
    valueSI: number | null
    unitSI: string
    value: number | null
    unit: string
  }[]
  versions: { solver: string; propertyPackages: Record<string, string> }
  log: string[]
}

type Doc = {
  unit_models: {
    id: number
    type: string
    args: Record<string, unknown>
    properties: Record<string, { data: { id: number; value?: number }[]; unit: string }>
    ports: Record<
      string,
      {
        id: number
        properties: Record<string, { data: { id: number; value?: number }[]; unit: string }>
      }
    >
  }[]
  arcs: unknown[]
  property_packages: { id: number; type: string; compounds: string[] }[]
}

describe('POST /api/solve/idaes/', () => {
  it('sends the sheet as a FlowsheetSchema with database ids', async () => {
    const f = await createPumpSheet(alice, 'doc')
    await ok(alice, 'POST', '/api/solve/idaes/', { flowsheet_id: f.id }, 200)
    const doc = solver.lastDoc as Doc
    expect(doc.property_packages).toEqual([
      expect.objectContaining({ type: 'helmholtz', compounds: ['water'] }),
    ])
    const [u] = doc.unit_models
    expect(u).toMatchObject({
      id: f.pump.id,
      type: 'pump',
      args: { property_package: doc.property_packages[0].id },
    })
    expect(u.properties.efficiency_pump).toEqual({
      data: [{ id: prop(f.pump, 'efficiency_pump').id, value: 0.5 }],
      unit: 'dimensionless',
    })
    // S1 (a feed) on the pump inlet, S2 (leaving the pump) on its outlet; values in the user's units
    expect(u.ports.inlet.id).toBe(f.inlet.id)
    expect(u.ports.inlet.properties.temperature).toEqual({
      data: [{ id: prop(f.s1, 'temperature').id, value: 80 }],
      unit: 'degC',
    })
    expect(u.ports.inlet.properties.vapor_frac).toEqual({
      data: [{ id: prop(f.s1, 'vapor_frac').id }],
      unit: 'dimensionless',
    })
    expect(u.ports.outlet.properties.pressure).toEqual({
      data: [{ id: prop(f.s2, 'pressure').id, value: 200 }],
      unit: 'kPa',
    })
    expect(u.ports.outlet.properties.temperature.data[0].value).toBeUndefined()
    expect(doc.arcs).toEqual([])
  })

  it('stores the run and its results and returns streams and units in SI and the user units', async () => {
    const f = await createPumpSheet(alice, 'solve')
    // read (and cache) the lists before solving: the solve must show through
    const pre = await ok<SimulationObject[]>(
      alice,
      'GET',
      `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
    )
    expect(prop(pre[1], 'temperature').computed).toBeNull()
    const r = await alice.inject({
      method: 'POST',
      url: '/api/solve/idaes/',
      payload: { flowsheet_id: f.id },
      headers: { 'x-request-id': 'req-solve-1' },
    })
    expect(r.statusCode).toBe(200)
    const res = r.json() as SolveResult
    expect(res).toMatchObject({
      flowsheetId: f.id,
      status: 'success',
      error: null,
      versions: { solver: 'test-solver 1', propertyPackages: { helmholtz: 'test-1' } },
      log: ['solved'],
    })
    expect(res.timing.solverMs).toBe(0.25)
    expect(res.timing.totalMs).toBeGreaterThan(0)
    expect(res.streams.map((s) => s.name)).toEqual(['S1', 'S2'])
    expect(res.streams[1]).toMatchObject({
      streamId: f.s2.id,
      pressure: 200000,
      temperature: 353.15,
      phase: 'liquid',
    })
    expect(res.streams[1].display.pressure).toEqual({ value: 200, unit: 'kPa' })
    expect(res.streams[1].display.temperature.unit).toBe('degC')
    expect(res.streams[1].display.temperature.value).toBeCloseTo(80, 9)
    expect(res.units).toEqual([
      {
        unitId: f.pump.id,
        name: 'Pump-1',
        type: 'pump',
        values: { work_mechanical: 3707.5, work_fluid: 1853.8 },
        unitsSI: { work_mechanical: 'W', work_fluid: 'W' },
        display: {
          work_mechanical: { value: 3.7075, unit: 'kW' },
          work_fluid: { value: 1853.8, unit: 'W' },
        },
      },
    ])
    const vf = res.properties.find((p) => p.id === prop(f.s2, 'temperature').id)!
    // stream properties take the port's full state when the reply does not name them by id
    expect(vf.valueSI).toBe(353.15)
    expect(vf.unit).toBe('degC')
    expect(vf.value).toBeCloseTo(80, 9)
    const work = res.properties.find((p) => p.id === prop(f.pump, 'work_mechanical').id)!
    expect(work).toMatchObject({ valueSI: 1234.5, unitSI: 'W', value: 1.2345, unit: 'kW' })
    // stored: results, history, latestSolve, computed values on the properties
    expect(await ok(alice, 'GET', `/api/flowsheets/${f.id}/results/`)).toEqual(res)
    const runs = await ok<
      {
        id: number
        status: string
        userId: number
        solverVersion: string
        packageVersion: Record<string, string>
      }[]
    >(alice, 'GET', `/api/flowsheets/${f.id}/solves/`)
    expect(runs).toHaveLength(1)
    expect(runs[0]).toMatchObject({
      id: res.id,
      status: 'success',
      solverVersion: 'test-solver 1',
      packageVersion: { helmholtz: 'test-1' },
    })
    expect(runs[0].userId).toBeGreaterThan(0)
    const fs = await ok<{ latestSolve: { id: number; status: string } }>(
      alice,
      'GET',
      `/api/flowsheets/${f.id}/`,
    )
    expect(fs.latestSolve).toMatchObject({ id: res.id, status: 'success' })
    const streams = await ok<SimulationObject[]>(
      alice,
      'GET',
      `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
    )
    // a computed property shows the solved value as its `value` too, in its own unit (degC),
    // as the seed's clients read it; nothing is stored on the property row
    expect(prop(streams[1], 'temperature')).toMatchObject({
      computed: 353.15,
      valueSI: 353.15,
      unit: 'degC',
      fixed: false,
    })
    expect(prop(streams[1], 'temperature').value).toBeCloseTo(80, 9)
    // solving does not change the sheet's version
    const head = await alice.inject({ method: 'GET', url: `/api/flowsheets/${f.id}/` })
    expect(head.headers.etag).toBe('"9"')
    const one = await ok<{ value: number; unit: string }>(
      alice,
      'PATCH',
      `/api/core/propertyinfo/${prop(streams[1], 'temperature').id}/`,
      { unit: 'degF' },
    )
    expect(one.unit).toBe('degF')
    expect(one.value).toBeCloseTo(176, 9)
    const row = await t.database.db
      .selectFrom('property_infos')
      .select(['value', 'value_si'])
      .where('id', '=', prop(streams[1], 'temperature').id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ value: null, value_si: null })
  })

  it('answers 422 naming the unit and variables, and stores the failed run', async () => {
    const f = await createPumpSheet(alice, 'broken')
    await ok(alice, 'PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, {
      componentName: 'Broken',
    })
    const r = await alice.inject({
      method: 'POST',
      url: '/api/solve/idaes/',
      payload: { flowsheet_id: f.id },
    })
    expect(r.statusCode).toBe(422)
    const res = r.json() as SolveResult
    expect(res.status).toBe('error')
    expect(res.error).toEqual({
      code: 'FLOWSHEET_UNDERSPECIFIED',
      message: 'Broken needs one more specification',
      details: { unitId: f.pump.id, unitName: 'Broken', variables: ['efficiency_pump'] },
    })
    expect(res.id).toBeGreaterThan(0)
    const runs = await ok<{ status: string; error: unknown }[]>(
      alice,
      'GET',
      `/api/flowsheets/${f.id}/solves/`,
    )
    expect(runs[0]).toMatchObject({ status: 'error', error: { code: 'FLOWSHEET_UNDERSPECIFIED' } })
    expect(await ok(alice, 'GET', `/api/flowsheets/${f.id}/results/`)).toMatchObject({
      id: res.id,
      status: 'error',
    })
  })

  it('turns a document the solver rejects into a 422 run', async () => {
    const f = await createPumpSheet(alice, 'rejected')
    const orig = solver.solve
    solver.solve = async () => {
      const { AppError } = await import('@rere/contract')
      throw new AppError('FLOWSHEET_INVALID', 'unit_models[0].type: unknown', {
        details: { path: 'unit_models[0].type' },
      })
    }
    try {
      const r = await alice.inject({
        method: 'POST',
        url: '/api/solve/idaes/',
        payload: { flowsheet_id: f.id },
      })
      expect(r.statusCode).toBe(422)
      expect(r.json().error).toMatchObject({
        code: 'FLOWSHEET_INVALID',
        details: { path: 'unit_models[0].type' },
      })
    } finally {
      solver.solve = orig
    }
  })

  it('404s unknown sheets and keeps only the newest runs', async () => {
    const r = await alice.inject({
      method: 'POST',
      url: '/api/solve/idaes/',
      payload: { flowsheet_id: 987654 },
    })
    expect(r.statusCode).toBe(404)
    expect(r.json()).toMatchObject({ code: 'API_NOT_FOUND', details: { field: 'flowsheet_id' } })
    const f = await createPumpSheet(alice, 'prune')
    await ok(alice, 'GET', `/api/flowsheets/${f.id}/results/`, undefined, 404)
    const ids: number[] = []
    for (let i = 0; i < KEEP + 3; i++) ids.push((await solve(f.id)).id)
    const runs = await ok<{ id: number }[]>(alice, 'GET', `/api/flowsheets/${f.id}/solves/`)
    expect(runs.map((x) => x.id)).toEqual(ids.slice(-KEEP).reverse())
    // and the older ones are deleted (in the background)
    expect(await storedRuns(f.id, KEEP)).toEqual(ids.slice(-KEEP).reverse())
  })

  it('keeps the computed values of the newest successful run through failed runs', async () => {
    const f = await createPumpSheet(alice, 'keeps-success')
    const good = await solve(f.id)
    const temperature = async () => {
      const streams = await ok<SimulationObject[]>(
        alice,
        'GET',
        `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
      )
      return prop(streams[1], 'temperature').computed
    }
    expect(await temperature()).toBe(353.15)
    await ok(alice, 'PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, {
      componentName: 'Broken',
    })
    const failed: number[] = []
    for (let i = 0; i < KEEP + 2; i++) failed.push((await solve(f.id, 422)).id)
    // the newest KEEP runs, and the newest successful one (older) whose values are still current
    const runs = await ok<{ id: number }[]>(alice, 'GET', `/api/flowsheets/${f.id}/solves/`)
    expect(runs.map((r) => r.id)).toEqual([...failed.slice(-KEEP).reverse(), good.id])
    expect(await storedRuns(f.id, KEEP + 1)).toEqual(runs.map((r) => r.id))
    expect(await temperature()).toBe(353.15)
    // a new success replaces it
    await ok(alice, 'PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, {
      componentName: 'Pump',
    })
    const next = await solve(f.id)
    const after = await ok<{ id: number }[]>(alice, 'GET', `/api/flowsheets/${f.id}/solves/`)
    expect(after.map((r) => r.id)).toEqual([next.id, ...failed.slice(-(KEEP - 1)).reverse()])
    expect(await storedRuns(f.id, KEEP)).toEqual(after.map((r) => r.id))
    expect(await temperature()).toBe(353.15)
  })

  it('solves the current sheet after an edit, never a remembered older one', async () => {
    const f = await createPumpSheet(alice, 'edited')
    const first = await solve(f.id)
    const eff = prop(f.pump, 'efficiency_pump')
    await ok(alice, 'PATCH', `/api/core/propertyinfo/${eff.id}/`, { value: 0.6 })
    const before = solver.solves
    const second = await solve(f.id)
    expect(second.flowsheetVersion).toBe(first.flowsheetVersion + 1)
    expect(second.properties.find((p) => p.id === eff.id)?.valueSI).toBe(0.6)
    // the remembered sheet was solved first, refused at store time, then the new one solved
    expect(solver.solves - before).toBe(2)
    const runs = await ok<{ id: number; flowsheetVersion: number }[]>(
      alice,
      'GET',
      `/api/flowsheets/${f.id}/solves/`,
    )
    expect(runs.map((r) => r.flowsheetVersion)).toEqual([
      second.flowsheetVersion,
      first.flowsheetVersion,
    ])
  })

  it('runs 100 concurrent solves of one sheet independently; the latest completed is current', async () => {
    const f = await createPumpSheet(alice, 'concurrent')
    const before = solver.solves
    solver.delayMs = 5
    try {
      const replies = await Promise.all(
        Array.from({ length: 100 }, () =>
          alice.inject({
            method: 'POST',
            url: '/api/solve/idaes/',
            payload: { flowsheet_id: f.id },
          }),
        ),
      )
      expect(replies.map((r) => r.statusCode)).toEqual(Array(100).fill(200))
      const ids = replies.map((r) => (r.json() as SolveResult).id)
      expect(new Set(ids).size).toBe(100)
      expect(solver.solves - before).toBe(100) // every request solved
      const last = await solve(f.id)
      expect(last.id).toBeGreaterThan(Math.max(...ids))
      const latest = last.id
      const runs = await ok<{ id: number }[]>(alice, 'GET', `/api/flowsheets/${f.id}/solves/`)
      expect(runs).toHaveLength(KEEP)
      expect(runs[0].id).toBe(latest)
      expect(await storedRuns(f.id, KEEP)).toEqual(runs.map((r) => r.id))
      expect((await ok<SolveResult>(alice, 'GET', `/api/flowsheets/${f.id}/results/`)).id).toBe(
        latest,
      )
      // the current computed values are those of the newest run
      const run = await t.database.db
        .selectFrom('solve_runs')
        .select(['computed'])
        .where('id', '=', latest)
        .executeTakeFirstOrThrow()
      const computed = run.computed!
      expect(Object.keys(computed).length).toBeGreaterThan(0)
      const listed = [
        ...(await ok<SimulationObject[]>(
          alice,
          'GET',
          `/api/unitops/unitops/?flowsheetOwner=${f.id}`,
        )),
        ...(await ok<SimulationObject[]>(
          alice,
          'GET',
          `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
        )),
      ]
      const shown = listed.flatMap((o) =>
        o.properties.contained_properties.filter((p) => p.computed !== null),
      )
      expect(shown.length).toBe(Object.keys(computed).length)
      for (const p of shown) expect(p.computed).toBe(computed[String(p.id)])
    } finally {
      solver.delayMs = 0
    }
  })

  it('answers 404 when the sheet is deleted while it solves', async () => {
    const f = await createPumpSheet(alice, 'vanishing')
    solver.delayMs = 200
    try {
      const pending = alice.inject({
        method: 'POST',
        url: '/api/solve/idaes/',
        payload: { flowsheet_id: f.id },
      })
      await new Promise((r) => setTimeout(r, 20))
      await ok(alice, 'DELETE', `/api/flowsheets/${f.id}/`, undefined, 204)
      const r = await pending
      expect(r.statusCode).toBe(404)
    } finally {
      solver.delayMs = 0
    }
  })
})

describe('over real HTTP', () => {
  it('passes the client going away on to the solver call, and only then', async () => {
    const f = await createPumpSheet(alice, 'http')
    let aborted = 0
    const orig = solver.solve
    solver.solve = async (doc, opts) => {
      await new Promise((r) => setTimeout(r, 300))
      if (opts?.signal?.aborted) aborted++
      return orig(doc, opts)
    }
    try {
      const addr = await t.app.listen({ port: 0, host: '127.0.0.1' })
      const init = (signal?: AbortSignal): RequestInit => ({
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', ...alice.headers },
        body: JSON.stringify({ flowsheet_id: f.id }),
      })
      const r = await fetch(`${addr}/api/solve/idaes/`, init())
      expect(r.status).toBe(200)
      expect(aborted).toBe(0)
      const ac = new AbortController()
      const gone = fetch(`${addr}/api/solve/idaes/`, init(ac.signal)).catch(() => 'gone')
      await new Promise((r) => setTimeout(r, 100))
      ac.abort()
      expect(await gone).toBe('gone')
      await new Promise((r) => setTimeout(r, 400))
      expect(aborted).toBe(1)
    } finally {
      solver.solve = orig
    }
  })
})

describe('solver pass-throughs', () => {
  it('serves the catalogue, the envelope and the DOF analysis', async () => {
    const cat = await ok<{ units: { type: string }[] }>(alice, 'GET', '/api/solver/catalogue/')
    expect(cat.units.map((u) => u.type)).toContain('pump')
    const env = await ok<{ package: string; compound: string }>(
      alice,
      'GET',
      '/api/solver/envelope/?package=if97&compound=water',
    )
    expect(env).toMatchObject({ package: 'if97', compound: 'water' })
    const bad = await alice.inject({ method: 'GET', url: '/api/solver/envelope/?package=nope' })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().details.field).toBe('package')
    const f = await createPumpSheet(alice, 'dof')
    const a = await ok<{ status: string; units: { unitId: number }[] }>(
      alice,
      'GET',
      `/api/flowsheets/${f.id}/analysis/`,
    )
    expect(a).toMatchObject({ status: 'square', units: [{ unitId: f.pump.id }] })
    const anon = await t.inject({ method: 'GET', url: '/api/solver/catalogue/' })
    expect(anon.statusCode).toBe(401)
  })
})
