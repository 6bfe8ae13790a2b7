/**
 * Flowsheets, simulation objects, streams and property values through the HTTP API: the seed
 * routes' shapes, optimistic concurrency, port rules, cascades, validation and owner isolation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp, type TestUser } from '../harness.ts'
import { createDomainSolver } from './domain-solver.ts'
import { createPumpSheet, ok, prop, type PropertyInfo, type SimulationObject } from './fixture.ts'

let t: TestApp
let alice: TestUser
let bob: TestUser
beforeAll(async () => {
  t = await createTestApp({ solver: createDomainSolver() })
  alice = t.user('alice@example.test')
  bob = t.user('bob@example.test')
})
afterAll(() => t?.close())

interface Flowsheet {
  id: number
  name: string
  version: number
  createdAt: string
  updatedAt: string
  propertyPackage: { id: number; name: string; compounds: string[] }
  latestSolve?: unknown
}

async function counts(flowsheetId: number) {
  const db = t.database.db
  const n = async (table: 'simulation_objects' | 'ports' | 'property_infos') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where('flowsheet_id', '=', flowsheetId)
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    objects: await n('simulation_objects'),
    ports: await n('ports'),
    props: await n('property_infos'),
  }
}

describe('flowsheets', () => {
  it('creates, lists, reads (ETag), renames and deletes a flowsheet', async () => {
    const created = await ok<Flowsheet>(alice, 'POST', '/api/flowsheets/', { name: 'one' })
    expect(created).toMatchObject({
      name: 'one',
      version: 1,
      propertyPackage: { name: 'helmholtz', compounds: ['water'] },
    })
    expect(Date.parse(created.createdAt)).toBeGreaterThan(0)
    const if97 = await ok<Flowsheet>(alice, 'POST', '/api/flowsheets/', {
      name: 'two',
      propertyPackage: { name: 'if97', compounds: ['water'] },
    })
    expect(if97.propertyPackage.name).toBe('if97')
    const list = await ok<Flowsheet[]>(alice, 'GET', '/api/flowsheets/')
    expect(list.map((f) => f.name)).toEqual(expect.arrayContaining(['one', 'two']))
    const r = await alice.inject({ method: 'GET', url: `/api/flowsheets/${created.id}/` })
    expect(r.statusCode).toBe(200)
    expect(r.headers.etag).toBe('"1"')
    expect(r.json()).toMatchObject({ id: created.id, latestSolve: null })
    const renamed = await alice.inject({
      method: 'PATCH',
      url: `/api/flowsheets/${created.id}/`,
      payload: { name: 'uno' },
      headers: { 'if-match': '"1"' },
    })
    expect(renamed.statusCode).toBe(200)
    expect(renamed.json()).toMatchObject({ name: 'uno', version: 2 })
    expect(renamed.headers.etag).toBe('"2"')
    await ok(alice, 'DELETE', `/api/flowsheets/${if97.id}/`, undefined, 204)
    await ok(alice, 'GET', `/api/flowsheets/${if97.id}/`, undefined, 404)
  })

  it('lists and changes property packages; knows water', async () => {
    const f = await ok<Flowsheet>(alice, 'POST', '/api/flowsheets/', { name: 'pp' })
    const pps = await ok<
      { id: number; name: string; compounds: string[]; flowsheetVersion: number }[]
    >(alice, 'GET', `/api/flowsheets/${f.id}/propertypackages/`)
    expect(pps).toHaveLength(1)
    const pp = await alice.inject({
      method: 'PATCH',
      url: `/api/flowsheets/${f.id}/propertypackages/${pps[0].id}/`,
      payload: { name: 'if97' },
    })
    expect(pp.statusCode).toBe(200)
    expect(pp.json()).toMatchObject({
      id: pps[0].id,
      name: 'if97',
      compounds: ['water'],
      flowsheetVersion: 2,
    })
    const bad = await alice.inject({
      method: 'PATCH',
      url: `/api/flowsheets/${f.id}/propertypackages/${pps[0].id}/`,
      payload: { compounds: ['unobtainium'] },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'API_VALIDATION', details: { field: 'compounds' } })
    expect(await ok(alice, 'GET', '/api/compounds/')).toEqual([
      { id: 'water', name: 'Water', formula: 'H2O', molarMass: 0.018015268 },
    ])
  })

  it('rejects bad input with 400 naming the field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/flowsheets/', { name: 'x', extra: 1 }, 'extra'],
      ['POST', '/api/flowsheets/', { name: 5 }, 'name'],
      ['POST', '/api/flowsheets/', {}, 'name'],
      [
        'POST',
        '/api/flowsheets/',
        { name: 'x', propertyPackage: { name: 'peng-robinson' } },
        'propertyPackage.name',
      ],
      [
        'POST',
        '/api/unitops/simulationobjects/',
        { flowsheetOwner: 'abc', objectType: 'pump' },
        'flowsheetOwner',
      ],
      [
        'POST',
        '/api/unitops/simulationobjects/',
        { flowsheetOwner: 1, objectType: 'pump', x: 'left' },
        'x',
      ],
      ['GET', '/api/unitops/unitops/?flowsheetOwner=abc', undefined, 'flowsheetOwner'],
      ['GET', '/api/unitops/unitops/', undefined, 'flowsheetOwner'],
      ['GET', '/api/flowsheets/99999999999999999999/', undefined, 'id'],
      ['PATCH', '/api/core/propertyinfo/1/', { value: 'hot' }, 'value'],
      ['POST', '/api/solve/idaes/', { flowsheet_id: -1 }, 'flowsheet_id'],
    ]
    for (const [method, url, payload, field] of cases) {
      const r = await alice.inject({
        method: method as 'GET',
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
      })
      expect(r.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`).toBe(400)
      const b = r.json()
      expect(b.code).toBe('API_VALIDATION')
      expect(String(b.details.field)).toContain(field)
    }
  })
})

describe('hostile input', () => {
  it('answers 4xx, never 5xx, to strings PostgreSQL cannot hold and prototype names', async () => {
    const f = await createPumpSheet(alice, 'hostile')
    const T = prop(f.s1, 'temperature')
    const cases: [string, string, unknown][] = [
      ['POST', '/api/flowsheets/', { name: 'nul\u0000name' }],
      ['PATCH', `/api/core/propertyinfo/${T.id}/`, { unit: '__proto__' }],
      ['PATCH', `/api/core/propertyinfo/${T.id}/`, { unit: 'constructor', value: 1 }],
      ['PATCH', `/api/core/propertyinfo/${T.id}/`, { value: 1e300, unit: 'degC' }],
      ['PATCH', `/api/core/propertyinfo/${T.id}/`, { constraint: "'; drop table users; --" }],
      [
        'POST',
        '/api/flowsheets/import/',
        {
          format: 'rere',
          document: { objects: [{ ref: 1, objectType: 'pump', args: { a: 'x\u0000' } }] },
        },
      ],
      [
        'POST',
        '/api/flowsheets/import/',
        {
          format: 'ahuora',
          document: {
            unit_models: [
              {
                id: 1,
                type: 'pump',
                name: 'P',
                ports: {},
                properties: { __proto__x: { data: [{ id: 1, value: 1 }], unit: 'toString' } },
              },
            ],
          },
        },
      ],
    ]
    for (const [method, url, payload] of cases) {
      const r = await alice.inject({ method: method as 'POST', url, payload: payload as object })
      expect(r.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`).toBeLessThan(
        500,
      )
      expect(r.statusCode === 200 || r.statusCode === 201 || r.statusCode === 400).toBe(true)
    }
    const users = await t.database.db.selectFrom('users').select('id').execute()
    expect(users.length).toBeGreaterThan(0)
  })
})

describe('simulation objects (seed routes)', () => {
  it('builds the pump fixture with the seed shapes and SI equivalents', async () => {
    const f = await createPumpSheet(alice)
    const units = await ok<SimulationObject[]>(
      alice,
      'GET',
      `/api/unitops/unitops/?flowsheetOwner=${f.id}`,
    )
    expect(units).toHaveLength(1)
    const pump = units[0]
    expect(pump).toMatchObject({
      id: f.pump.id,
      flowsheetOwner: f.id,
      objectType: 'pump',
      componentName: 'Pump-1',
      x: 300,
      y: 200,
    })
    expect(pump.flowsheetVersion).toBe(9) // created at 1, then 8 writes
    expect(pump.ports.map((p) => [p.name, p.direction, p.streamId])).toEqual([
      ['inlet', 'inlet', f.s1.id],
      ['outlet', 'outlet', f.s2.id],
    ])
    expect(prop(pump, 'efficiency_pump')).toMatchObject({
      value: 0.5,
      valueSI: 0.5,
      fixed: true,
      unitSI: 'dimensionless',
    })
    expect(prop(pump, 'work_mechanical')).toMatchObject({
      value: null,
      fixed: false,
      unit: 'kW',
      unitSI: 'W',
      quantity: 'power',
    })
    const streams = await ok<SimulationObject[]>(
      alice,
      'GET',
      `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
    )
    expect(streams.map((s) => s.componentName)).toEqual(['S1', 'S2'])
    const [s1, s2] = streams
    expect(s1.connections).toEqual({
      source: null,
      destination: { unitId: f.pump.id, portId: f.inlet.id, name: 'inlet' },
    })
    expect(s2.connections).toEqual({
      source: { unitId: f.pump.id, portId: f.outlet.id, name: 'outlet' },
      destination: null,
    })
    const T = prop(s1, 'temperature')
    expect(T).toMatchObject({
      key: 'temperature',
      unit: 'degC',
      value: 80,
      unitSI: 'K',
      quantity: 'temperature',
      fixed: true,
      guess: false,
      computed: null,
      constraint: null,
      controlled: null,
    })
    expect(T.valueSI).toBeCloseTo(353.15, 10)
    expect(prop(s1, 'pressure')).toMatchObject({
      value: 100,
      unit: 'kPa',
      valueSI: 100000,
      unitSI: 'Pa',
    })
    expect(prop(s1, 'vapor_frac')).toMatchObject({ value: null, fixed: false })
    // a stream leaving a unit starts with everything computed except what was PATCHed
    expect(s2.properties.contained_properties.filter((p) => p.fixed).map((p) => p.key)).toEqual([
      'pressure',
    ])
    // one object by id
    const one = await ok<SimulationObject>(
      alice,
      'GET',
      `/api/unitops/simulationobjects/${f.pump.id}/`,
    )
    expect(one).toEqual(pump)
  })

  it('names units, expands num_inlets, and rejects unknown types', async () => {
    const f = await ok<Flowsheet>(alice, 'POST', '/api/flowsheets/', { name: 'mix' })
    const mixer = await ok<SimulationObject>(alice, 'POST', '/api/unitops/simulationobjects/', {
      flowsheetOwner: f.id,
      objectType: 'mixer',
      args: { num_inlets: 3 },
    })
    expect(mixer.componentName).toBe('Mixer-1')
    expect(mixer.ports.map((p) => p.name)).toEqual(['inlet_1', 'inlet_2', 'inlet_3', 'outlet'])
    const bad = await alice.inject({
      method: 'POST',
      url: '/api/unitops/simulationobjects/',
      payload: { flowsheetOwner: f.id, objectType: 'fusion-reactor' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'API_VALIDATION', details: { field: 'objectType' } })
    const badArgs = await alice.inject({
      method: 'POST',
      url: '/api/unitops/simulationobjects/',
      payload: { flowsheetOwner: f.id, objectType: 'mixer', args: { num_inlets: 1e6 } },
    })
    expect(badArgs.statusCode).toBe(400)
    expect(badArgs.json().details.field).toBe('args.num_inlets')
    const feed = await ok<SimulationObject>(alice, 'POST', '/api/unitops/simulationobjects/', {
      flowsheetOwner: f.id,
      objectType: 'stream',
    })
    expect(feed.componentName).toBe('S1')
    // a feed starts with the catalogue's default specification
    expect(prop(feed, 'temperature')).toMatchObject({ value: 25, fixed: true, unit: 'degC' })
  })

  it("changes a unit's args after creation: ports follow, a connected port is never dropped", async () => {
    const f = await ok<Flowsheet>(alice, 'POST', '/api/flowsheets/', { name: 'mix-args' })
    const mixer = await ok<SimulationObject>(alice, 'POST', '/api/unitops/simulationobjects/', {
      flowsheetOwner: f.id,
      objectType: 'mixer',
    })
    expect(mixer.ports.map((p) => p.name)).toEqual(['inlet_1', 'inlet_2', 'outlet'])
    const patch = (body: unknown) =>
      alice.inject({
        method: 'PATCH',
        url: `/api/unitops/simulationobjects/${mixer.id}/`,
        payload: body as Record<string, unknown>,
      })
    const three = await patch({ args: { num_inlets: 3 } })
    expect(three.statusCode).toBe(200)
    const grown = three.json() as SimulationObject & { args: Record<string, unknown> }
    expect(grown.args).toMatchObject({ num_inlets: 3 })
    expect(grown.ports.map((p) => p.name)).toEqual(['inlet_1', 'inlet_2', 'outlet', 'inlet_3'])
    const inlet3 = grown.ports.find((p) => p.name === 'inlet_3')!
    // kept ports keep their ids (and streams)
    expect(grown.ports.find((p) => p.name === 'inlet_1')!.id).toBe(mixer.ports[0].id)
    const feed = await ok<SimulationObject>(alice, 'POST', '/api/unitops/simulationobjects/', {
      flowsheetOwner: f.id,
      objectType: 'stream',
      destination: inlet3.id,
    })
    const before = await counts(f.id)
    const cut = await patch({ args: { num_inlets: 2 } })
    expect(cut.statusCode).toBe(409)
    expect(cut.json()).toMatchObject({
      code: 'API_PORT_IN_USE',
      details: { field: 'args.num_inlets', portId: inlet3.id, streamId: feed.id },
    })
    expect(await counts(f.id)).toEqual(before)
    for (const [body, field] of [
      [{ args: { num_inlets: 0 } }, 'args.num_inlets'],
      [{ args: { num_inlets: 2.5 } }, 'args.num_inlets'],
      [{ args: { flux_capacitor: true } }, 'args.flux_capacitor'],
      [{ args: { num_inlets: { deep: 1 } } }, 'args.num_inlets'],
    ] as const) {
      const r = await patch(body)
      expect(r.statusCode, JSON.stringify(body)).toBe(400)
      expect(r.json().details.field).toContain(field)
    }
    const streamArgs = await alice.inject({
      method: 'PATCH',
      url: `/api/unitops/simulationobjects/${feed.id}/`,
      payload: { args: { num_inlets: 2 } },
    })
    expect(streamArgs.statusCode).toBe(400)
    expect(streamArgs.json().details.field).toBe('args')
    // disconnect, then shrink
    await ok(alice, 'PATCH', `/api/unitops/simulationobjects/${feed.id}/`, { destination: null })
    const two = await patch({ args: { num_inlets: 2 } })
    expect(two.statusCode).toBe(200)
    expect((two.json() as SimulationObject).ports.map((p) => p.name)).toEqual([
      'inlet_1',
      'inlet_2',
      'outlet',
    ])
  })

  it('keeps one stream per port: 409 when taken, 400 on the wrong direction, reconnects', async () => {
    const f = await createPumpSheet(alice, 'ports')
    const before = await counts(f.id)
    const taken = await alice.inject({
      method: 'POST',
      url: '/api/unitops/simulationobjects/',
      payload: { flowsheetOwner: f.id, objectType: 'stream', destination: f.inlet.id },
    })
    expect(taken.statusCode).toBe(409)
    expect(taken.json()).toMatchObject({
      code: 'API_PORT_TAKEN',
      details: { field: 'destination', portId: f.inlet.id, streamId: f.s1.id },
    })
    const wrongDir = await alice.inject({
      method: 'POST',
      url: '/api/unitops/simulationobjects/',
      payload: { flowsheetOwner: f.id, objectType: 'stream', source: f.inlet.id },
    })
    expect(wrongDir.statusCode).toBe(400)
    expect(wrongDir.json()).toMatchObject({ code: 'API_VALIDATION', details: { field: 'source' } })
    const otherSheet = await createPumpSheet(alice, 'other')
    const foreignPort = await alice.inject({
      method: 'POST',
      url: '/api/unitops/simulationobjects/',
      payload: { flowsheetOwner: f.id, objectType: 'stream', source: otherSheet.outlet.id },
    })
    expect(foreignPort.statusCode).toBe(404)
    expect(foreignPort.json().details.field).toBe('source')
    expect(await counts(f.id)).toEqual(before) // nothing half-created
    // move S2 off the outlet, then S1... a heater downstream
    const heater = await ok<SimulationObject>(alice, 'POST', '/api/unitops/simulationobjects/', {
      flowsheetOwner: f.id,
      objectType: 'heater',
    })
    const hin = heater.ports.find((p) => p.name === 'inlet')!
    const s2 = await ok<SimulationObject>(
      alice,
      'PATCH',
      `/api/unitops/simulationobjects/${f.s2.id}/`,
      { destination: hin.id, x: 5 },
    )
    expect(s2.connections).toMatchObject({
      source: { portId: f.outlet.id },
      destination: { portId: hin.id, unitId: heater.id },
    })
    expect(s2.x).toBe(5)
    const detached = await ok<SimulationObject>(
      alice,
      'PATCH',
      `/api/unitops/simulationobjects/${f.s2.id}/`,
      { source: null },
    )
    expect(detached.connections).toMatchObject({ source: null, destination: { portId: hin.id } })
    const unitSource = await alice.inject({
      method: 'PATCH',
      url: `/api/unitops/simulationobjects/${f.pump.id}/`,
      payload: { source: f.outlet.id },
    })
    expect(unitSource.statusCode).toBe(400)
  })

  it('deleting a unit removes its ports and properties and disconnects its streams', async () => {
    const f = await createPumpSheet(alice, 'cascade')
    const before = await counts(f.id)
    const pumpProps = f.pump.properties.contained_properties.length
    const r = await alice.inject({
      method: 'DELETE',
      url: `/api/unitops/simulationobjects/${f.pump.id}/`,
    })
    expect(r.statusCode).toBe(204)
    expect(r.headers.etag).toBe('"10"')
    expect(await counts(f.id)).toEqual({
      objects: before.objects - 1,
      ports: before.ports - 2,
      props: before.props - pumpProps,
    })
    const streams = await ok<SimulationObject[]>(
      alice,
      'GET',
      `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`,
    )
    expect(streams.map((s) => s.connections)).toEqual([
      { source: null, destination: null },
      { source: null, destination: null },
    ])
    await ok(alice, 'DELETE', `/api/unitops/simulationobjects/${f.s1.id}/`, undefined, 204)
    await ok(alice, 'GET', `/api/unitops/simulationobjects/${f.s1.id}/`, undefined, 404)
    expect(
      await ok<SimulationObject[]>(alice, 'GET', `/api/unitops/unitops/?flowsheetOwner=${f.id}`),
    ).toEqual([])
  })
})

describe('object lists stay exact while remembered', () => {
  it('shows every change: API writes, writes in the database itself, solves, other users', async () => {
    const f = await createPumpSheet(alice, 'cached-list')
    const list = () =>
      ok<SimulationObject[]>(alice, 'GET', `/api/unitops/unitops/?flowsheetOwner=${f.id}`)
    expect((await list())[0].componentName).toBe('Pump-1')
    expect((await list())[0].componentName).toBe('Pump-1') // remembered
    await ok(alice, 'PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, {
      componentName: 'Renamed',
    })
    expect((await list())[0].componentName).toBe('Renamed')
    // concurrent readers share freshness checks, yet none is answered from before its request
    const burst = async (name: string) => {
      const lists = await Promise.all(Array.from({ length: 20 }, () => list()))
      for (const l of lists) expect(l[0].componentName).toBe(name)
    }
    await burst('Renamed')
    const rename = ok(alice, 'PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, {
      componentName: 'Again',
    })
    const during = Promise.all(Array.from({ length: 20 }, () => list()))
    await rename
    await burst('Again')
    for (const l of await during) expect(['Renamed', 'Again']).toContain(l[0].componentName)
    // a change made in the database directly, the way every API write does it (version bump)
    await t.database.db
      .updateTable('simulation_objects')
      .set({ component_name: 'Direct' })
      .where('id', '=', f.pump.id)
      .execute()
    await t.database.db
      .updateTable('flowsheets')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', f.id)
      .execute()
    expect((await list())[0].componentName).toBe('Direct')
    // a solve changes the computed values
    expect(prop((await list())[0], 'work_mechanical').computed).toBeNull()
    await ok(alice, 'POST', '/api/solve/idaes/', { flowsheet_id: f.id }, 200)
    expect(prop((await list())[0], 'work_mechanical').computed).toBe(1234.5)
    // the remembered list is never another user's
    const r = await bob.inject({
      method: 'GET',
      url: `/api/unitops/unitops/?flowsheetOwner=${f.id}`,
    })
    expect(r.statusCode).toBe(404)
  })
})

describe('property values', () => {
  it('stores the user unit with its SI value and converts on a unit change', async () => {
    const f = await createPumpSheet(alice, 'props')
    const T = prop(f.s1, 'temperature')
    const r = await alice.inject({
      method: 'PATCH',
      url: `/api/core/propertyinfo/${T.id}/`,
      payload: { unit: 'K' },
    })
    expect(r.statusCode).toBe(200)
    const p = r.json() as PropertyInfo & { flowsheetVersion: number }
    expect(p.unit).toBe('K')
    expect(p.value).toBeCloseTo(353.15, 9)
    expect(p.valueSI).toBeCloseTo(353.15, 9)
    expect(p.flowsheetVersion).toBe(10)
    expect(r.headers.etag).toBe('"10"')
    const degF = await ok<PropertyInfo>(alice, 'PATCH', `/api/core/propertyinfo/${T.id}/`, {
      value: 212,
      unit: 'degF',
    })
    expect(degF.valueSI).toBeCloseTo(373.15, 9)
    const P = prop(f.s1, 'pressure')
    const bar = await ok<PropertyInfo>(alice, 'PATCH', `/api/core/propertyinfo/${P.id}/`, {
      value: 2,
      unit: 'bar',
    })
    expect(bar).toMatchObject({ value: 2, valueSI: 200000, unitSI: 'Pa' })
    // the stream list (read twice, so served from its cache) shows every write
    const url = `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`
    await ok(alice, 'GET', url)
    const cached = await ok<SimulationObject[]>(alice, 'GET', url)
    expect(prop(cached[0], 'pressure')).toMatchObject({ value: 2, unit: 'bar' })
    const free = await ok<PropertyInfo>(alice, 'PATCH', `/api/core/propertyinfo/${P.id}/`, {
      fixed: false,
    })
    expect(free).toMatchObject({ fixed: false, value: null, valueSI: null })
    const fresh = await ok<SimulationObject[]>(alice, 'GET', url)
    expect(prop(fresh[0], 'pressure')).toMatchObject({ value: null, fixed: false })
    const g = await ok<PropertyInfo>(alice, 'PATCH', `/api/core/propertyinfo/${P.id}/`, {
      guess: true,
      value: 3,
    })
    expect(g).toMatchObject({ fixed: false, guess: true, value: 3, valueSI: 300000 })
    expect(await ok(alice, 'GET', `/api/core/propertyinfo/${P.id}/`)).toMatchObject({
      id: P.id,
      value: 3,
    })
  })

  it('refuses a value for a computed property, and unknown or incompatible units, changing nothing', async () => {
    const f = await createPumpSheet(alice, 'props-bad')
    const vf = prop(f.s1, 'vapor_frac')
    const before = await ok<Flowsheet>(alice, 'GET', `/api/flowsheets/${f.id}/`)
    const computed = await alice.inject({
      method: 'PATCH',
      url: `/api/core/propertyinfo/${vf.id}/`,
      payload: { value: 0.5 },
    })
    expect(computed.statusCode).toBe(400)
    expect(computed.json()).toMatchObject({
      code: 'API_PROPERTY_COMPUTED',
      details: { field: 'value' },
    })
    const T = prop(f.s1, 'temperature')
    const unknown = await alice.inject({
      method: 'PATCH',
      url: `/api/core/propertyinfo/${T.id}/`,
      payload: { unit: 'furlongs' },
    })
    expect(unknown.statusCode).toBe(400)
    expect(unknown.json()).toMatchObject({ code: 'UNITS_UNKNOWN', details: { field: 'unit' } })
    const incompatible = await alice.inject({
      method: 'PATCH',
      url: `/api/core/propertyinfo/${T.id}/`,
      payload: { value: 5, unit: 'kPa' },
    })
    expect(incompatible.statusCode).toBe(400)
    expect(incompatible.json()).toMatchObject({
      code: 'UNITS_INCOMPATIBLE',
      details: { field: 'unit' },
    })
    const after = await ok<Flowsheet>(alice, 'GET', `/api/flowsheets/${f.id}/`)
    expect(after.version).toBe(before.version)
    const same = await ok<PropertyInfo>(alice, 'GET', `/api/core/propertyinfo/${T.id}/`)
    expect(same).toMatchObject({ value: 80, unit: 'degC' })
    const fixedNow = await ok<PropertyInfo>(alice, 'PATCH', `/api/core/propertyinfo/${vf.id}/`, {
      value: 0.5,
      fixed: true,
    })
    expect(fixedNow).toMatchObject({ value: 0.5, fixed: true })
  })
})

describe('optimistic concurrency', () => {
  it('answers 412 on a stale If-Match and changes nothing; accepts the current one', async () => {
    const f = await createPumpSheet(alice, 'occ')
    const head = await alice.inject({ method: 'GET', url: `/api/flowsheets/${f.id}/` })
    const v = Number(JSON.parse(head.headers.etag as string))
    expect(v).toBe(9)
    const T = prop(f.s1, 'temperature')
    const stale = { 'if-match': `"${v - 1}"` }
    const writes: [string, string, unknown][] = [
      ['PATCH', `/api/core/propertyinfo/${T.id}/`, { value: 90 }],
      ['PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, { componentName: 'P' }],
      ['POST', '/api/unitops/simulationobjects/', { flowsheetOwner: f.id, objectType: 'pump' }],
      ['DELETE', `/api/unitops/simulationobjects/${f.s2.id}/`, undefined],
      ['PATCH', `/api/flowsheets/${f.id}/`, { name: 'renamed' }],
      ['DELETE', `/api/flowsheets/${f.id}/`, undefined],
    ]
    const before = await ok<unknown>(alice, 'GET', `/api/flowsheets/${f.id}/export/?format=rere`)
    for (const [method, url, payload] of writes) {
      const r = await alice.inject({
        method: method as 'POST',
        url,
        headers: stale,
        ...(payload === undefined ? {} : { payload: payload as object }),
      })
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(412)
      expect(r.json()).toMatchObject({
        code: 'API_VERSION_CONFLICT',
        details: { currentVersion: v },
      })
    }
    expect(await ok<unknown>(alice, 'GET', `/api/flowsheets/${f.id}/export/?format=rere`)).toEqual(
      before,
    )
    const good = await alice.inject({
      method: 'PATCH',
      url: `/api/core/propertyinfo/${T.id}/`,
      payload: { value: 90 },
      headers: { 'if-match': String(v) },
    })
    expect(good.statusCode).toBe(200)
    expect(good.headers.etag).toBe(`"${v + 1}"`)
    const bad = await alice.inject({
      method: 'PATCH',
      url: `/api/core/propertyinfo/${T.id}/`,
      payload: { value: 90 },
      headers: { 'if-match': 'yesterday' },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().details.field).toBe('if-match')
  })
})

describe('owner isolation', () => {
  it("answers 404 to another user on every route with the owner's ids", async () => {
    const f = await createPumpSheet(alice, 'private')
    await ok(alice, 'POST', '/api/solve/idaes/', { flowsheet_id: f.id }, 200)
    const pps = await ok<{ id: number }[]>(
      alice,
      'GET',
      `/api/flowsheets/${f.id}/propertypackages/`,
    )
    const T = prop(f.s1, 'temperature')
    const before = await ok<unknown>(alice, 'GET', `/api/flowsheets/${f.id}/export/?format=rere`)
    const routes: [string, string, unknown?][] = [
      ['GET', `/api/flowsheets/${f.id}/`],
      ['PATCH', `/api/flowsheets/${f.id}/`, { name: 'mine' }],
      ['DELETE', `/api/flowsheets/${f.id}/`],
      ['POST', `/api/flowsheets/${f.id}/duplicate/`, {}],
      ['GET', `/api/flowsheets/${f.id}/export/?format=rere`],
      ['GET', `/api/flowsheets/${f.id}/export/?format=ahuora`],
      ['GET', `/api/flowsheets/${f.id}/analysis/`],
      ['GET', `/api/flowsheets/${f.id}/results/`],
      ['GET', `/api/flowsheets/${f.id}/solves/`],
      ['GET', `/api/flowsheets/${f.id}/propertypackages/`],
      ['PATCH', `/api/flowsheets/${f.id}/propertypackages/${pps[0].id}/`, { name: 'if97' }],
      ['GET', `/api/unitops/unitops/?flowsheetOwner=${f.id}`],
      ['GET', `/api/unitops/materialstreams/?flowsheetOwner=${f.id}`],
      ['POST', '/api/unitops/simulationobjects/', { flowsheetOwner: f.id, objectType: 'pump' }],
      ['GET', `/api/unitops/simulationobjects/${f.pump.id}/`],
      ['PATCH', `/api/unitops/simulationobjects/${f.pump.id}/`, { x: 1 }],
      ['DELETE', `/api/unitops/simulationobjects/${f.s1.id}/`],
      ['GET', `/api/core/propertyinfo/${T.id}/`],
      ['PATCH', `/api/core/propertyinfo/${T.id}/`, { value: 1 }],
      ['POST', '/api/solve/idaes/', { flowsheet_id: f.id }],
    ]
    for (const [method, url, payload] of routes) {
      const r = await bob.inject({
        method: method as 'GET',
        url,
        ...(payload === undefined ? {} : { payload: payload as object }),
      })
      expect(r.statusCode, `${method} ${url}: ${r.body}`).toBe(404)
      expect(r.json().code).toBe('API_NOT_FOUND')
    }
    // Bob's stream cannot take Alice's port either
    const mine = await ok<Flowsheet>(bob, 'POST', '/api/flowsheets/', { name: 'bob' })
    const steal = await bob.inject({
      method: 'POST',
      url: '/api/unitops/simulationobjects/',
      payload: { flowsheetOwner: mine.id, objectType: 'stream', source: f.outlet.id },
    })
    expect(steal.statusCode).toBe(404)
    expect((await ok<Flowsheet[]>(bob, 'GET', '/api/flowsheets/')).map((x) => x.id)).toEqual([
      mine.id,
    ])
    expect(await ok<unknown>(alice, 'GET', `/api/flowsheets/${f.id}/export/?format=rere`)).toEqual(
      before,
    )
  })
})
