/**
 * The IDAES ladder for each unit operation, through the whole solver: build, solve, values
 * against hand calculations with @rere/thermo flashes, mass and energy conservation, and every
 * alternative specification set.
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import type { SolveReply } from '@rere/contract'
import { getPropertyPackage } from '@rere/thermo'
import { logMean } from '@rere/unit-ops'
import { parseFlowsheet, solveDocument, solveModel } from '../src/index.ts'
import { prop, sheet, unit } from './helpers.ts'

const water = getPropertyPackage('helmholtz', 'water')
const ures = (r: SolveReply, name: string) =>
  r.unitResults?.find((u) => u.name === name)?.values ?? {}
const pst = (r: SolveReply, name: string, port: string) => {
  const p = r.ports?.find((q) => q.unitName === name && q.port === port)
  if (!p) throw new Error(`${name}.${port}`)
  return p
}
const ok = (r: SolveReply) => expect(r.status, JSON.stringify(r.error)).toBe('success')
const solve = (d: unknown) => {
  const r = solveDocument(d, { fullState: true })
  ok(r)
  return r
}
type P = Record<string, ReturnType<typeof prop>>
const feed = (T: number, Pk: number, F = 10): P => ({
  temperature: prop(T, 'degC'),
  pressure: prop(Pk, 'kPa'),
  flow_mol: prop(F, 'mol/s'),
})
/** one unit with inlet/outlet */
const one = (type: string, inlet: P, outlet: P, props: P, args: Record<string, unknown> = {}) =>
  sheet([
    unit(
      1,
      type,
      'U',
      { inlet: { id: 1, properties: inlet }, outlet: { id: 2, properties: outlet } },
      props,
      args,
    ),
  ])
/** F (h_out - h_in) equals the unit's work + heat (relative 1e-9) and flows are equal */
function conserved(r: SolveReply, energy: number) {
  const i = pst(r, 'U', 'inlet')
  const o = pst(r, 'U', 'outlet')
  expect(o.flowMol).toBe(i.flowMol)
  const dH = i.flowMol * (o.enthMol - i.enthMol)
  expect(Math.abs(dH - energy)).toBeLessThanOrEqual(
    1e-9 * Math.max(1, Math.abs(i.flowMol * i.enthMol)),
  )
}

describe('valve (isenthalpic)', () => {
  const hand = () => water.flashPH(100000, water.flashTP(423.15, 500000).h)
  for (const [label, outlet, props] of [
    ['outlet pressure', { pressure: prop(100, 'kPa') }, {}],
    ['deltaP', {}, { deltaP: prop(-400, 'kPa') }],
    ['ratioP', {}, { ratioP: prop(0.2) }],
  ] as [string, P, P][]) {
    it(`flashes hot liquid to two-phase (${label})`, () => {
      const r = solve(one('valve', feed(150, 500), outlet, props))
      const o = pst(r, 'U', 'outlet')
      const st = hand()
      expect(o.temperature).toBeCloseTo(st.T, 8)
      expect(o.vaporFrac).toBeCloseTo(st.x as number, 10)
      expect(o.phase).toBe('two-phase')
      conserved(r, 0)
    })
  }
})

describe('compressor and turbine (isentropic efficiency)', () => {
  const handC = (Pin: number, hin: number, Pout: number, eta: number) =>
    hin + (water.flashPS(Pout, water.flashPH(Pin, hin).s).h - hin) / eta
  const steam = feed(150, 100, 5)
  const hIn = water.flashTP(423.15, 100000).h
  const h2 = handC(100000, hIn, 300000, 0.75)
  for (const [label, outlet, props] of [
    ['outlet pressure', { pressure: prop(3, 'bar') }, {}],
    ['deltaP', {}, { deltaP: prop(200, 'kPa') }],
    ['ratioP', {}, { ratioP: prop(3) }],
    ['work_mechanical', {}, { work_mechanical: prop(5 * (h2 - hIn), 'W') }],
  ] as [string, P, P][]) {
    it(`compressor with ${label}`, () => {
      const r = solve(
        one('compressor', steam, outlet, { efficiency_isentropic: prop(0.75), ...props }),
      )
      expect(pst(r, 'U', 'outlet').enthMol).toBeCloseTo(h2, 5)
      expect(pst(r, 'U', 'outlet').pressure).toBeCloseTo(300000, 4)
      const w = ures(r, 'U')
      expect(w.work_mechanical).toBeGreaterThan(0)
      expect(w.work_isentropic / w.work_mechanical).toBeCloseTo(0.75, 12)
      conserved(r, w.work_mechanical)
    })
  }
  it('turbine: work is negative, efficiency multiplies the isentropic work', () => {
    const r = solve(
      one(
        'turbine',
        feed(500, 4000, 10),
        { pressure: prop(100, 'kPa') },
        { efficiency_isentropic: prop(0.8) },
      ),
    )
    const st = water.flashTP(773.15, 4e6)
    const h = st.h + 0.8 * (water.flashPS(1e5, st.s).h - st.h)
    expect(pst(r, 'U', 'outlet').enthMol).toBeCloseTo(h, 5)
    const w = ures(r, 'U')
    expect(w.work_mechanical).toBeLessThan(0)
    expect(w.work_mechanical / w.work_isentropic).toBeCloseTo(0.8, 12)
    conserved(r, w.work_mechanical)
  })
  it('turbine: an outlet temperature fixes the efficiency', () => {
    const r = solve(
      one(
        'turbine',
        feed(500, 4000, 10),
        { pressure: prop(1000, 'kPa'), temperature: prop(300, 'degC') },
        {},
      ),
    )
    const st = water.flashTP(773.15, 4e6)
    const hs = water.flashPS(1e6, st.s).h
    const h = water.flashTP(573.15, 1e6).h
    expect(ures(r, 'U').efficiency_isentropic).toBeCloseTo((h - st.h) / (hs - st.h), 9)
  })
})

describe('heater and cooler', () => {
  it('heat_duty gives the outlet; outlet temperature gives the duty', () => {
    const hIn = water.flashTP(293.15, 200000).h
    const r1 = solve(one('heater', feed(20, 200), {}, { heat_duty: prop(20, 'kW') }))
    expect(pst(r1, 'U', 'outlet').enthMol).toBeCloseTo(hIn + 2000, 8)
    conserved(r1, 20000)
    const r2 = solve(one('heater', feed(20, 200), { temperature: prop(90, 'degC') }, {}))
    const q = 10 * (water.flashTP(363.15, 200000).h - hIn)
    expect(ures(r2, 'U').heat_duty).toBeCloseTo(q, 4)
    expect(ures(r2, 'U').heat_duty_inverted).toBeCloseTo(-q, 4)
    conserved(r2, q)
  })
  it('specifications on flow_vol, enth_mass, entr_mass and total_energy_flow', () => {
    const inlet = {
      temperature: prop(20, 'degC'),
      pressure: prop(200, 'kPa'),
      flow_vol: prop(0.01, 'm**3/s'),
    }
    const r = solve(one('heater', inlet, { enth_mass: prop(300, 'kJ/kg') }, {}))
    const st = water.flashTP(293.15, 200000)
    const F = (0.01 * st.rho) / water.molarMass
    expect(pst(r, 'U', 'inlet').flowMol).toBeCloseTo(F, 8)
    expect(pst(r, 'U', 'outlet').enthMol).toBeCloseTo(300000 * water.molarMass, 6)
    const s2 = solve(one('heater', inlet, { entr_mass: prop(1, 'kJ/K/kg') }, {}))
    expect(pst(s2, 'U', 'outlet').entrMol).toBeCloseTo(1000 * water.molarMass, 8)
    const s3 = solve(one('heater', inlet, { total_energy_flow: prop(50, 'kW') }, {}))
    const o = pst(s3, 'U', 'outlet')
    expect(o.flowMol * o.enthMol).toBeCloseTo(50000, 4)
  })
  it('cooler: heat_duty_inverted and deltaP_inverted (Ahuora), outlet saturated liquid', () => {
    const r = solve(
      one('cooler', feed(200, 500), { vapor_frac: prop(0) }, { deltaP_inverted: prop(50, 'kPa') }),
    )
    const o = pst(r, 'U', 'outlet')
    expect(o.pressure).toBeCloseTo(450000, 6)
    expect(o.enthMol).toBeCloseTo(water.saturationP(450000).liquid.h, 5)
    const w = ures(r, 'U')
    expect(w.heat_duty).toBeLessThan(0)
    expect(w.heat_duty_inverted).toBeCloseTo(-w.heat_duty, 9)
    conserved(r, w.heat_duty)
    const r2 = solve(
      one(
        'cooler',
        feed(200, 500),
        {},
        { heat_duty_inverted: prop(-w.heat_duty, 'W'), deltaP: prop(-50, 'kPa') },
      ),
    )
    expect(pst(r2, 'U', 'outlet').enthMol).toBeCloseTo(o.enthMol, 6)
  })
})

describe('heat exchanger (counter-current, Underwood mean)', () => {
  const hx = (props: P, hotOut: P = {}, coldOut: P = {}) =>
    sheet([
      unit(
        1,
        'heatExchanger',
        'U',
        {
          hot_side_inlet: { id: 1, properties: feed(150, 400, 10) },
          hot_side_outlet: { id: 2, properties: hotOut },
          cold_side_inlet: { id: 3, properties: feed(20, 300, 15) },
          cold_side_outlet: { id: 4, properties: coldOut },
        },
        { 'hot_side.deltaP': prop(0), 'cold_side.deltaP': prop(0), ...props },
        { hot_side: { property_package: -1 }, cold_side: { property_package: -1 } },
      ),
    ])
  const check = (r: SolveReply) => {
    const hi = pst(r, 'U', 'hot_side_inlet')
    const ho = pst(r, 'U', 'hot_side_outlet')
    const ci = pst(r, 'U', 'cold_side_inlet')
    const co = pst(r, 'U', 'cold_side_outlet')
    const w = ures(r, 'U')
    expect(hi.flowMol * (hi.enthMol - ho.enthMol)).toBeCloseTo(w.heat_duty, 4)
    expect(ci.flowMol * (co.enthMol - ci.enthMol)).toBeCloseTo(w.heat_duty, 4)
    const dT1 = hi.temperature - co.temperature
    const dT2 = ho.temperature - ci.temperature
    expect(w.delta_temperature_in).toBeCloseTo(dT1, 8)
    const dTm = ((Math.cbrt(dT1) + Math.cbrt(dT2)) / 2) ** 3
    expect(w.heat_duty).toBeCloseTo(w.overall_heat_transfer_coefficient * w.area * dTm, 3)
    return w
  }
  it('area and U given: solves the duty', () => {
    const w = check(
      solve(
        hx({ area: prop(2, 'm**2'), overall_heat_transfer_coefficient: prop(1000, 'W/(m**2*K)') }),
      ),
    )
    expect(w.heat_duty).toBeGreaterThan(0)
  })
  it('duty and U given: the area', () => {
    check(
      solve(
        hx({
          heat_duty: prop(30, 'kW'),
          overall_heat_transfer_coefficient: prop(1000, 'W/(m**2*K)'),
        }),
      ),
    )
  })
  it('hot outlet temperature and U given: duty and area', () => {
    const w = check(
      solve(
        hx(
          { overall_heat_transfer_coefficient: prop(1000, 'W/(m**2*K)') },
          { temperature: prop(60, 'degC') },
        ),
      ),
    )
    expect(w.heat_duty).toBeCloseTo(
      10 * (water.flashTP(423.15, 4e5).h - water.flashTP(333.15, 4e5).h),
      3,
    )
  })
  it('exact LMTD option (programmatic: unit args delta_temperature = lmtd)', () => {
    const model = parseFlowsheet(
      hx({ area: prop(2, 'm**2'), overall_heat_transfer_coefficient: prop(1000, 'W/(m**2*K)') }),
    )
    model.units[0].args.delta_temperature = 'lmtd'
    const r = solveModel(model, { fullState: true })
    ok(r)
    const w = ures(r, 'U')
    const [m] = logMean(w.delta_temperature_in, w.delta_temperature_out)
    expect(w.heat_duty).toBeCloseTo(1000 * 2 * m, 3)
  })
  it('the exact log mean (LMTD option) and its derivatives', () => {
    const [m, da, db] = logMean(30, 10)
    expect(m).toBeCloseTo(20 / Math.log(3), 12)
    const e = 1e-6
    expect(da).toBeCloseTo((logMean(30 + e, 10)[0] - logMean(30 - e, 10)[0]) / (2 * e), 6)
    expect(db).toBeCloseTo((logMean(30, 10 + e)[0] - logMean(30, 10 - e)[0]) / (2 * e), 6)
    expect(logMean(10, 10)[0]).toBe(10)
  })
})

describe('mixer, splitter, phase separator', () => {
  it('mixer: three inlets, outlet at the lowest pressure, energy conserved', () => {
    const r = solve(
      sheet([
        unit(
          1,
          'mixer',
          'U',
          {
            inlet_1: { id: 1, properties: feed(20, 300, 5) },
            inlet_2: { id: 2, properties: feed(80, 250, 10) },
            inlet_3: { id: 3, properties: feed(150, 400, 2) },
            outlet: { id: 4 },
          },
          {},
          { num_inlets: 3 },
        ),
      ]),
    )
    const o = pst(r, 'U', 'outlet')
    expect(o.pressure).toBeCloseTo(250000, 2)
    const H = [
      ['inlet_1', 5],
      ['inlet_2', 10],
      ['inlet_3', 2],
    ].reduce((a, [n, F]) => a + (F as number) * pst(r, 'U', n as string).enthMol, 0)
    expect(o.flowMol).toBeCloseTo(17, 12)
    expect(o.flowMol * o.enthMol).toBeCloseTo(H, 6)
  })
  it('splitter: fractions, or an outlet flow instead of a fraction', () => {
    const mk = (props: P, out1: P = {}) =>
      sheet([
        unit(
          1,
          'splitter',
          'U',
          {
            inlet: { id: 1, properties: feed(50, 200, 10) },
            outlet_1: { id: 2, properties: out1 },
            outlet_2: { id: 3 },
            outlet_3: { id: 4 },
          },
          props,
          { num_outlets: 3 },
        ),
      ])
    const frac = (id: number, v: number, o: string) => ({
      data: [{ id, value: v, discrete_indexes: [o] }],
      unit: null,
    })
    const sf = {
      data: [...frac(801, 0.2, 'outlet_1').data, ...frac(802, 0.5, 'outlet_2').data],
      unit: null,
    }
    const r = solve(mk({ split_fraction: sf as never }))
    expect(pst(r, 'U', 'outlet_3').flowMol).toBeCloseTo(3, 12)
    expect(pst(r, 'U', 'outlet_3').enthMol).toBe(pst(r, 'U', 'inlet').enthMol)
    const r2 = solve(
      mk(
        { split_fraction: { data: [frac(803, 0.5, 'outlet_2').data[0]], unit: null } as never },
        { flow_mol: prop(2, 'mol/s') },
      ),
    )
    expect(pst(r2, 'U', 'outlet_3').flowMol).toBeCloseTo(3, 12)
  })
  it('phase separator: vapour and liquid at saturation, mass and energy conserved', () => {
    const r = solve(
      sheet([
        unit(1, 'phaseSeparator', 'U', {
          inlet: {
            id: 1,
            properties: {
              pressure: prop(200, 'kPa'),
              vapor_frac: prop(0.3),
              flow_mol: prop(10, 'mol/s'),
            },
          },
          outlet_1: { id: 2 },
          outlet_2: { id: 3 },
        }),
      ]),
    )
    const v = pst(r, 'U', 'outlet_1')
    const l = pst(r, 'U', 'outlet_2')
    const i = pst(r, 'U', 'inlet')
    expect(v.flowMol).toBeCloseTo(3, 9)
    expect(l.flowMol).toBeCloseTo(7, 9)
    expect(v.vaporFrac).toBeCloseTo(1, 9)
    expect(l.vaporFrac).toBeCloseTo(0, 9)
    expect(v.flowMol * v.enthMol + l.flowMol * l.enthMol).toBeCloseTo(i.flowMol * i.enthMol, 5)
  })
})

describe('property-based: random pump / heater / valve chains solve and conserve energy', () => {
  const step = fc.oneof(
    fc.record({
      t: fc.constant('pump' as const),
      ratio: fc.double({ min: 1.2, max: 4, noNaN: true }),
      eff: fc.double({ min: 0.4, max: 0.9, noNaN: true }),
    }),
    fc.record({
      t: fc.constant('heater' as const),
      q: fc.double({ min: -500, max: 2000, noNaN: true }),
    }),
    fc.record({
      t: fc.constant('valve' as const),
      ratio: fc.double({ min: 0.5, max: 0.95, noNaN: true }),
    }),
  )
  it('holds for 25 random chains', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 285, max: 340, noNaN: true }),
        fc.double({ min: 150, max: 800, noNaN: true }),
        fc.double({ min: 1, max: 100, noNaN: true }),
        fc.array(step, { minLength: 1, maxLength: 5 }),
        (T, Pk, F, steps) => {
          const units = steps.map((s, k) => {
            const inlet: P =
              k === 0
                ? {
                    temperature: prop(T, 'K'),
                    pressure: prop(Pk, 'kPa'),
                    flow_mol: prop(F, 'mol/s'),
                  }
                : {}
            const ports = {
              inlet: { id: 10 * k + 1, properties: inlet },
              outlet: { id: 10 * k + 2 },
            }
            if (s.t === 'pump')
              return unit(k + 1, 'pump', `U${k}`, ports, {
                ratioP: prop(s.ratio),
                efficiency_pump: prop(s.eff),
              })
            if (s.t === 'valve')
              return unit(k + 1, 'valve', `U${k}`, ports, { ratioP: prop(s.ratio) })
            return unit(k + 1, 'heater', `U${k}`, ports, { heat_duty: prop(s.q * F, 'W') })
          })
          const arcs = steps
            .slice(1)
            .map((_, k) => [10 * k + 2, 10 * (k + 1) + 1] as [number, number])
          const r = solveDocument(sheet(units, arcs), { fullState: true })
          expect(r.status, JSON.stringify(r.error)).toBe('success')
          const first = pst(r, 'U0', 'inlet')
          const last = pst(r, `U${steps.length - 1}`, 'outlet')
          let added = 0
          for (const u of r.unitResults ?? [])
            added += u.values.work_mechanical ?? u.values.heat_duty ?? 0
          const dH = F * (last.enthMol - first.enthMol)
          expect(Math.abs(dH - added)).toBeLessThanOrEqual(
            1e-9 * F * Math.max(Math.abs(first.enthMol), 1e4),
          )
          expect(last.flowMol).toBeCloseTo(F, 10)
        },
      ),
      { numRuns: 25, seed: 42 },
    )
  })
})
