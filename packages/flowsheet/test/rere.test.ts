/**
 * Rere's own cases: the reference pump (in several unit systems and specification sets), a
 * closed steam Rankine cycle and a heat-exchanger network against sequential hand calculations
 * with @rere/thermo flashes, and the structural diagnostics.
 */
import { describe, expect, it } from 'vitest'
import type { SolveReply } from '@rere/contract'
import { getPropertyPackage } from '@rere/thermo'
import { analyzeDocument, solveDocument } from '../src/index.ts'
import { prop, sheet, unit } from './helpers.ts'

const water = getPropertyPackage('helmholtz', 'water')
const M = water.molarMass
const ures = (r: SolveReply, name: string) =>
  r.unitResults?.find((u) => u.name === name)?.values ?? {}
const pst = (r: SolveReply, name: string, port: string) => {
  const p = r.ports?.find((q) => q.unitName === name && q.port === port)
  if (!p) throw new Error(`${name}.${port}`)
  return p
}
const ok = (r: SolveReply) => expect(r.status, JSON.stringify(r.error)).toBe('success')

/** water 80 degC, 100 kPa, 1000 mol/s; efficiency 0.5; outlet 200 kPa (in the given units) */
function rerePump(o: {
  T?: [number, string]
  P?: [number, string]
  F?: [number, string]
  h?: [number, string]
  Pout?: [number, string]
  work?: [number, string]
  deltaP?: [number, string]
  ratioP?: number
}) {
  const inlet: Record<string, ReturnType<typeof prop>> = {
    pressure: prop(...(o.P ?? [100, 'kPa'])),
    flow_mol: prop(...(o.F ?? [1000, 'mol/s'])),
  }
  if (o.h) inlet.enth_mol = prop(...o.h)
  else inlet.temperature = prop(...(o.T ?? [80, 'degC']))
  const outlet: Record<string, ReturnType<typeof prop>> = {}
  if (o.Pout) outlet.pressure = prop(...o.Pout)
  const props: Record<string, ReturnType<typeof prop>> = {
    efficiency_pump: prop(0.5, 'dimensionless'),
  }
  if (o.work) props.work_mechanical = prop(...o.work)
  if (o.deltaP) props.deltaP = prop(...o.deltaP)
  if (o.ratioP) props.ratioP = prop(o.ratioP, 'dimensionless')
  return sheet([
    unit(
      1,
      'pump',
      'P-1',
      { inlet: { id: 1, properties: inlet }, outlet: { id: 2, properties: outlet } },
      props,
    ),
  ])
}

function checkRerePump(r: SolveReply) {
  ok(r)
  const w = ures(r, 'P-1')
  expect(w.work_fluid).toBeCloseTo(1853.77, 2)
  expect(w.work_mechanical).toBeCloseTo(3707.55, 2)
  const out = pst(r, 'P-1', 'outlet')
  expect(out.enthMol).toBeCloseTo(6039.8, 2)
  expect(out.temperature).toBeCloseTo(353.1801, 4)
  expect(out.pressure).toBeCloseTo(200000, 4)
  // conservation
  const inl = pst(r, 'P-1', 'inlet')
  expect(out.flowMol).toBe(inl.flowMol)
  expect(
    Math.abs(inl.flowMol * (out.enthMol - inl.enthMol) - w.work_mechanical) / w.work_mechanical,
  ).toBeLessThan(1e-9)
}

describe('the Rere pump (80 degC, 100 kPa, 1000 mol/s, efficiency 0.5, 200 kPa)', () => {
  it('SI-ish inputs (degC, kPa, mol/s)', () => {
    checkRerePump(solveDocument(rerePump({ Pout: [200, 'kPa'] }), { fullState: true }))
  })
  it('bar, mol/min', () => {
    checkRerePump(
      solveDocument(rerePump({ P: [1, 'bar'], Pout: [2, 'bar'], F: [60000, 'mol/min'] }), {
        fullState: true,
      }),
    )
  })
  it('atm and K', () => {
    checkRerePump(
      solveDocument(
        rerePump({ T: [353.15, 'K'], P: [100000 / 101325, 'atm'], Pout: [200000 / 101325, 'atm'] }),
        {
          fullState: true,
        },
      ),
    )
  })
  it('inlet enthalpy in cal/mol instead of temperature', () => {
    const h = water.flashTP(353.15, 100000).h
    checkRerePump(
      solveDocument(rerePump({ h: [h / 4.184, 'cal/mol'], Pout: [200, 'kPa'] }), {
        fullState: true,
      }),
    )
  })
  it('mechanical work in kJ/s instead of the outlet pressure', () => {
    checkRerePump(solveDocument(rerePump({ work: [3.7075474806, 'kJ/s'] }), { fullState: true }))
  })
  it('deltaP or ratioP instead of the outlet pressure', () => {
    checkRerePump(solveDocument(rerePump({ deltaP: [100, 'kPa'] }), { fullState: true }))
    checkRerePump(solveDocument(rerePump({ ratioP: 2 }), { fullState: true }))
  })
  it('warm repeat solves give identical answers', () => {
    const d = rerePump({ Pout: [200, 'kPa'] })
    const a = solveDocument(d, { fullState: true })
    const b = solveDocument(d, { fullState: true })
    expect(b.ports).toEqual(a.ports)
  })
})

describe('diagnostics name the unit and the variables', () => {
  it('a missing outlet pressure: under-specified pump, outlet pressure among the candidates', () => {
    const d = rerePump({})
    const a = analyzeDocument(d)
    expect(a.status).toBe('underspecified')
    expect(a.dof).toBe(1)
    const u = a.units.find((x) => x.name === 'P-1')
    expect(u?.status).toBe('underspecified')
    expect(u?.variables).toEqual(
      expect.arrayContaining(['P-1.outlet.pressure', 'P-1.deltaP', 'P-1.work_mechanical']),
    )
    const r = solveDocument(d)
    expect(r.status).toBe('error')
    expect(r.error?.code).toBe('FLOWSHEET_UNDERSPECIFIED')
    expect(r.error?.details).toMatchObject({ unitId: 1, unitName: 'P-1' })
    expect(r.error?.details.variables).toContain('P-1.outlet.pressure')
  })
  it('a feed with T, P, flow and x: over-specified, the conflicting specs named', () => {
    const d = sheet([
      unit(
        1,
        'heater',
        'H-1',
        {
          inlet: {
            id: 1,
            properties: {
              temperature: prop(100, 'degC'),
              pressure: prop(101.325, 'kPa'),
              flow_mol: prop(1, 'mol/s'),
              vapor_frac: prop(0.5, 'dimensionless'),
            },
          },
          outlet: { id: 2, properties: {} },
        },
        { heat_duty: prop(0, 'W') },
      ),
    ])
    const r = solveDocument(d)
    expect(r.error?.code).toBe('FLOWSHEET_OVERSPECIFIED')
    expect(r.error?.details.unitName).toBe('H-1')
    const v = (r.error?.details.variables as string[]).join(' | ')
    expect(v).toContain('H-1.inlet.temperature')
    expect(v).toContain('H-1.inlet.vapor_frac')
    expect(analyzeDocument(d).dof).toBe(-1)
    // (T, x) and (P, x) alone are valid feeds
    const tx = sheet([
      unit(
        1,
        'heater',
        'H-1',
        {
          inlet: {
            id: 1,
            properties: {
              temperature: prop(100, 'degC'),
              flow_mol: prop(1, 'mol/s'),
              vapor_frac: prop(0.5, 'dimensionless'),
            },
          },
          outlet: { id: 2, properties: {} },
        },
        { heat_duty: prop(0, 'W') },
      ),
    ])
    const rt = solveDocument(tx, { fullState: true })
    ok(rt)
    expect(pst(rt, 'H-1', 'inlet').pressure).toBeCloseTo(water.saturationT(373.15).P, 3)
    expect(pst(rt, 'H-1', 'inlet').enthMol).toBeCloseTo(water.flashTx(373.15, 0.5).h, 5)
  })
  it('flow fixed at both ends of a pump: square but structurally singular', () => {
    const d = sheet([
      unit(
        1,
        'pump',
        'P-1',
        {
          inlet: {
            id: 1,
            properties: {
              temperature: prop(80, 'degC'),
              pressure: prop(100, 'kPa'),
              flow_mol: prop(1000, 'mol/s'),
            },
          },
          outlet: { id: 2, properties: { flow_mol: prop(1000, 'mol/s') } },
        },
        { efficiency_pump: prop(0.5) },
      ),
    ])
    const a = analyzeDocument(d)
    expect(a.dof).toBe(0)
    expect(a.status).toBe('singular')
    const r = solveDocument(d)
    expect(r.error?.code).toBe('FLOWSHEET_SINGULAR')
    expect(r.error?.details.unitName).toBe('P-1')
    const v = r.error?.details.variables as string[]
    expect(v).toEqual(
      expect.arrayContaining(['P-1.inlet.flow_mol', 'P-1.outlet.flow_mol', 'P-1.outlet.pressure']),
    )
  })
  it('a closed loop with an extra flow specification: over-specified', () => {
    const d = rankine({ extraFlow: true })
    const r = solveDocument(d)
    expect(r.status).toBe('error')
    expect(r.error?.code).toBe('FLOWSHEET_OVERSPECIFIED')
    expect((r.error?.details.variables as string[]).some((n) => n.endsWith('flow_mol'))).toBe(true)
  })
})

/**
 * pump -> boiler -> turbine -> condenser -> pump, no feed; the circulating flow comes from the
 * 10 mol/s guess at the pump inlet (a value on an arc-fed port is a tear guess). extraFlow adds
 * flow specifications on two outlets of the loop: one too many.
 */
function rankine(o: { extraFlow?: boolean } = {}) {
  const turbineOut: Record<string, ReturnType<typeof prop>> = { pressure: prop(10, 'kPa') }
  const boilerOut: Record<string, ReturnType<typeof prop>> = { temperature: prop(500, 'degC') }
  if (o.extraFlow) {
    turbineOut.flow_mol = prop(10, 'mol/s')
    boilerOut.flow_mol = prop(10, 'mol/s')
  }
  return sheet(
    [
      unit(
        1,
        'pump',
        'Pump',
        {
          inlet: { id: 1, properties: { flow_mol: prop(10, 'mol/s') } },
          outlet: { id: 2, properties: { pressure: prop(10, 'MPa') } },
        },
        { efficiency_pump: prop(0.8) },
      ),
      unit(2, 'heater', 'Boiler', {
        inlet: { id: 3 },
        outlet: { id: 4, properties: boilerOut },
      }),
      unit(
        3,
        'turbine',
        'Turbine',
        { inlet: { id: 5 }, outlet: { id: 6, properties: turbineOut } },
        {
          efficiency_isentropic: prop(0.85),
        },
      ),
      unit(4, 'cooler', 'Condenser', {
        inlet: { id: 7 },
        outlet: { id: 8, properties: { vapor_frac: prop(0, 'dimensionless') } },
      }),
    ],
    [
      [2, 3],
      [4, 5],
      [6, 7],
      [8, 1],
    ],
  )
}

describe('closed steam Rankine cycle', () => {
  it('solves and matches a sequential hand calculation', () => {
    const r = solveDocument(rankine(), { fullState: true })
    ok(r)
    expect(r.log.join(' ')).toMatch(/closed loop/)
    const F = 10
    // hand calculation, state by state
    const P1 = 10000
    const P2 = 10e6
    const h1 = water.saturationP(P1).liquid.h
    let h2 = h1
    for (let k = 0; k < 20; k++) h2 = h1 + ((M / water.flashPH(P2, h2).rho) * (P2 - P1)) / 0.8
    const st3 = water.flashTP(773.15, P2)
    const h4 = st3.h + 0.85 * (water.flashPS(P1, st3.s).h - st3.h)
    expect(pst(r, 'Pump', 'inlet').enthMol).toBeCloseTo(h1, 4)
    expect(pst(r, 'Pump', 'outlet').enthMol).toBeCloseTo(h2, 4)
    expect(pst(r, 'Boiler', 'outlet').enthMol).toBeCloseTo(st3.h, 4)
    expect(pst(r, 'Turbine', 'outlet').enthMol).toBeCloseTo(h4, 4)
    expect(ures(r, 'Pump').work_mechanical).toBeCloseTo(F * (h2 - h1), 3)
    expect(ures(r, 'Boiler').heat_duty).toBeCloseTo(F * (st3.h - h2), 2)
    expect(ures(r, 'Turbine').work_mechanical).toBeCloseTo(F * (h4 - st3.h), 2)
    expect(ures(r, 'Condenser').heat_duty).toBeCloseTo(F * (h1 - h4), 2)
    // the cycle closes energy: net work = net heat
    const sum =
      ures(r, 'Pump').work_mechanical +
      ures(r, 'Boiler').heat_duty +
      ures(r, 'Turbine').work_mechanical +
      ures(r, 'Condenser').heat_duty
    expect(Math.abs(sum) / ures(r, 'Boiler').heat_duty).toBeLessThan(1e-9)
    for (const p of r.ports ?? []) expect(p.flowMol).toBeCloseTo(F, 9)
  })
})

describe('heat-exchanger network with a splitter and a mixer', () => {
  it('matches a sequential hand calculation', () => {
    const d = sheet(
      [
        unit(
          1,
          'splitter',
          'S-1',
          {
            inlet: {
              id: 1,
              properties: {
                temperature: prop(20, 'degC'),
                pressure: prop(300, 'kPa'),
                flow_mol: prop(100, 'mol/s'),
              },
            },
            outlet_1: { id: 2 },
            outlet_2: { id: 3 },
          },
          {
            split_fraction: {
              data: [{ id: 900, value: 0.4, discrete_indexes: ['outlet_1'] } as never],
              unit: null,
            },
          },
          { num_outlets: 2 },
        ),
        unit(
          2,
          'heatExchanger',
          'E-1',
          {
            hot_side_inlet: {
              id: 4,
              properties: {
                temperature: prop(180, 'degC'),
                pressure: prop(500, 'kPa'),
                flow_mol: prop(20, 'mol/s'),
              },
            },
            hot_side_outlet: { id: 5 },
            cold_side_inlet: { id: 6 },
            cold_side_outlet: { id: 7 },
          },
          {
            heat_duty: prop(100, 'kW'),
            overall_heat_transfer_coefficient: prop(500, 'W/(m**2*K)'),
            'hot_side.deltaP': prop(0, 'Pa'),
            'cold_side.deltaP': prop(0, 'Pa'),
          },
          { hot_side: { property_package: -1 }, cold_side: { property_package: -1 } },
        ),
        unit(
          3,
          'heater',
          'H-1',
          { inlet: { id: 8 }, outlet: { id: 9 } },
          { heat_duty: prop(150, 'kW') },
        ),
        unit(
          4,
          'mixer',
          'M-1',
          { inlet_1: { id: 10 }, inlet_2: { id: 11 }, outlet: { id: 12 } },
          {},
          { num_inlets: 2 },
        ),
      ],
      [
        [2, 6],
        [3, 8],
        [7, 10],
        [9, 11],
      ],
    )
    const r = solveDocument(d, { fullState: true })
    ok(r)
    const P = 300000
    const h0 = water.flashTP(293.15, P).h
    const hCold = h0 + 100000 / 40
    const hHeat = h0 + 150000 / 60
    const hMix = (40 * hCold + 60 * hHeat) / 100
    const hHotIn = water.flashTP(453.15, 500000).h
    const hHotOut = hHotIn - 100000 / 20
    expect(pst(r, 'E-1', 'cold_side_outlet').enthMol).toBeCloseTo(hCold, 6)
    expect(pst(r, 'E-1', 'hot_side_outlet').enthMol).toBeCloseTo(hHotOut, 6)
    expect(pst(r, 'M-1', 'outlet').enthMol).toBeCloseTo(hMix, 6)
    expect(pst(r, 'M-1', 'outlet').flowMol).toBeCloseTo(100, 9)
    // area from the Underwood mean temperature difference
    const dT1 = 453.15 - water.flashPH(P, hCold).T
    const dT2 = water.flashPH(500000, hHotOut).T - 293.15
    const dTm = ((Math.cbrt(dT1) + Math.cbrt(dT2)) / 2) ** 3
    expect(ures(r, 'E-1').area).toBeCloseTo(100000 / (500 * dTm), 6)
    expect(pst(r, 'M-1', 'outlet').pressure).toBeCloseTo(P - 0.0005, 3)
  })
})

describe('warm starts and deadlines', () => {
  it('initial_values from a previous reply start Newton at the solution', () => {
    const d = rankine() as {
      unit_models: { name: string; initial_values?: Record<string, number> }[]
    }
    const cold = solveDocument(d, { fullState: true })
    ok(cold)
    for (const u of d.unit_models) {
      const iv: Record<string, number> = {}
      for (const p of cold.ports ?? [])
        if (p.unitName === u.name && p.port === 'outlet') {
          iv['outlet.enth_mol'] = p.enthMol
          iv['outlet.pressure'] = p.pressure
          iv['outlet.flow_mol'] = p.flowMol
        }
      Object.assign(iv, ures(cold, u.name))
      u.initial_values = iv
    }
    const warm = solveDocument(d, { fullState: true })
    ok(warm)
    expect(warm.timing.iterations).toBeLessThan(cold.timing.iterations as number)
    expect(ures(warm, 'Turbine').work_mechanical).toBeCloseTo(
      ures(cold, 'Turbine').work_mechanical,
      6,
    )
  })
  it('a deadline in the past gives SOLVER_TIMEOUT', () => {
    const r = solveDocument(rankine(), { deadlineMs: Date.now() - 1 })
    expect(r.status).toBe('error')
    expect(r.error?.code).toBe('SOLVER_TIMEOUT')
  })
})

describe('compiled-sheet cache', () => {
  it('a sheet solved again with other values equals a fresh solve', async () => {
    const { clearCompiled } = await import('../src/solve/cache.ts')
    const a = rerePump({ Pout: [200, 'kPa'] })
    const b = rerePump({ Pout: [350, 'kPa'], T: [60, 'degC'], F: [10, 'mol/s'] })
    ok(solveDocument(a))
    const warm = solveDocument(b, { fullState: true }) // same shape: cache hit
    clearCompiled()
    const fresh = solveDocument(b, { fullState: true })
    ok(warm)
    expect(warm.ports).toEqual(fresh.ports)
    expect(warm.unitResults).toEqual(fresh.unitResults)
    expect(warm.flowsheet.properties).toEqual(fresh.flowsheet.properties)
    expect(pst(warm, 'P-1', 'outlet').pressure).toBeCloseTo(350000, 6)
    // and back: the first values again
    checkRerePump(solveDocument(a, { fullState: true }))
  })
})

describe('large sheets', () => {
  it('53 units with five inner recycles and one outer recycle: overall mass and energy close', async () => {
    const { outerRecycleSheet } = await import('../bench/sheets.ts')
    const r = solveDocument(outerRecycleSheet(5), { fullState: true })
    ok(r)
    const feed = pst(r, 'MX', 'inlet_1')
    const product = pst(r, 'SX', 'outlet_1')
    expect(product.flowMol).toBeCloseTo(feed.flowMol, 9)
    let added = 0
    for (const u of r.unitResults ?? [])
      added += u.values.work_mechanical ?? u.values.heat_duty ?? 0
    const dH = product.flowMol * product.enthMol - feed.flowMol * feed.enthMol
    expect(Math.abs(dH - added) / Math.abs(feed.flowMol * feed.enthMol)).toBeLessThan(1e-9)
  })
})
