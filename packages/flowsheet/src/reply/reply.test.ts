import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError, type SolvedProperty } from '@rere/contract'
import { parseFlowsheet } from '../document/index.ts'
import {
  buildCompletion,
  buildState,
  collectProperties,
  expressionName,
  pyomoLocalName,
  streamValue,
} from './index.ts'

const DIR = new URL('../document/fixtures/ahuora/', import.meta.url)
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'))

const CASES = [
  'pump',
  'compressor',
  'constraints',
  'control',
  'elimination',
  'expressions',
  'header',
  'heat_exchanger',
  'heat_pump',
  'mass_flow_tear',
  'mixer',
  'recycle',
  'vapor_frac_target',
]

describe('completion payload: names, units and expression values as in the *_solved.json files', () => {
  it.each(CASES)('%s', (name) => {
    const model = parseFlowsheet(load(`${name}.json`))
    const solved = (load(`${name}_solved.json`) as { properties: SolvedProperty[] }).properties
    const byId = new Map(solved.map((p) => [p.id, p]))
    // feed IDAES's own answers for the document's properties; expressions are computed by us
    const props = collectProperties(model, (s) => {
      const v = byId.get(s.id)?.value
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null)
    })
    expect(props.map((p) => p.id).sort((a, b) => a - b)).toEqual(
      solved.map((p) => p.id).sort((a, b) => a - b),
    )
    for (const p of props) {
      const s = byId.get(p.id)!
      expect({ id: p.id, name: p.name, unit: p.unit, unknown: p.unknown_units }).toEqual({
        id: s.id,
        name: s.name,
        unit: s.unit,
        unknown: s.unknown_units,
      })
      const want = (s.value as number[])[0]!
      expect((p.value as number[])[0]).toBeCloseTo(want, 6)
    }
  })
})

describe('buildCompletion', () => {
  it('wraps status, error, timing, log and the properties; a failed solve echoes the document values', () => {
    const model = parseFlowsheet(load('pump_unit_conversions.json'))
    const r = buildCompletion({
      model,
      lookup: null,
      status: 'error',
      error: { code: 'SOLVER_NO_CONVERGENCE', message: 'x', details: {} },
      timing: { totalMs: 1, phases: { parse: 1 } },
    })
    expect(r.status).toBe('error')
    expect(r.error?.code).toBe('SOLVER_NO_CONVERGENCE')
    expect(r.log).toEqual([])
    expect(r.flowsheet.id).toBe(0)
    const p2 = r.flowsheet.properties.find((p) => p.id === 2)
    expect(p2).toMatchObject({
      name: 'fs.Pump-1_8.control_volume.properties_in[0.0].pressure',
      unit: 'Pa',
    })
    expect((p2?.value as number[])[0]).toBeCloseTo(11000000.0001255, 4)
    expect(r.flowsheet.properties.find((p) => p.id === 6)?.unit).toBe('kg*m**2/s**3')
    expect(r.ports).toBeUndefined()
  })

  it('non-finite looked-up values become null, never NaN', () => {
    const model = parseFlowsheet(load('pump.json'))
    const props = collectProperties(model, () => Number.NaN)
    expect(props.every((p) => p.value === null)).toBe(true)
  })
})

describe('Pyomo name quoting', () => {
  it.each([
    ['Pump-1_8', 'Pump-1_8'],
    ['Spec-1_129', 'Spec-1_129'],
    [
      'Expression to check if units are converted properly too._130',
      "'Expression to check if units are converted properly too._130'",
    ],
    ["it's (x)_1", '"it\'s (x)_1"'],
    ['12', "'12'"],
  ])('%s -> %s', (raw, printed) => {
    expect(pyomoLocalName(raw)).toBe(printed)
  })
  it('expression names', () => {
    expect(expressionName('Spec-2', 130)).toBe('fs.Spec-2_130')
  })
})

describe('streamValue', () => {
  const st = {
    T: 353.15,
    P: 1e5,
    rho: 971.79,
    h: 6036.09,
    s: 19.0,
    x: 0,
    hMass: 335050,
    sMass: 1075,
    phase: 'liquid',
  }
  it('derives flows, energy flow, vapour fraction', () => {
    const M = 0.018015268
    expect(streamValue('flow_mass', st, 1000, M)).toBeCloseTo(18.015268, 9)
    expect(streamValue('flow_vol', st, 1000, M)).toBeCloseTo(18.015268 / 971.79, 12)
    expect(streamValue('total_energy_flow', st, 2, M)).toBeCloseTo(12072.18, 6)
    expect(streamValue('vapor_frac', { ...st, x: null, T: 700 }, 1, M)).toBe(1)
    expect(streamValue('flow_mass', st, null, M)).toBeNull()
    expect(streamValue('dens_mass', st, 1, M)).toBe(971.79)
    expect(streamValue('nonsense', st, 1, M)).toBeNull()
  })
})

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request documents are mutated freely
type Doc = any

describe('buildState (/build_state) with IAPWS-95', () => {
  const sb = () => JSON.parse(JSON.stringify(load('sb_vapor_frac.json'))) as Doc

  it('sb_vapor_frac.json matches sb_vapor_frac_solved.json (names, units, values within 0.1)', () => {
    const got = buildState(sb())
    const want = load('sb_vapor_frac_solved.json') as SolvedProperty[]
    expect(got.map((p) => [p.id, p.name, p.unit])).toEqual(want.map((p) => [p.id, p.name, p.unit]))
    got.forEach((p, i) => {
      expect(Math.abs((p.value as number[])[0]! - (want[i]!.value as number[])[0]!)).toBeLessThan(
        0.1,
      )
    })
  })

  it('computes the properties asked with value null: saturated liquid at 100 degC is at 101.418 kPa', () => {
    const d = sb()
    d.properties.pressure = { data: [{ id: 5, value: null }], unit: 'Pa' }
    d.properties.enth_mol = { data: [{ id: 6 }] }
    d.properties.flow_mass = { data: [{ id: 7 }] }
    const got = buildState(d)
    const by = new Map(got.map((p) => [p.id, (p.value as number[])[0]!]))
    expect(by.get(5)).toBeCloseTo(101417.98, 1) // IAPWS-95 saturation pressure at 373.15 K
    expect(by.get(6)).toBeCloseTo(7551.39, 1)
    expect(by.get(7)).toBeCloseTo(0.018015268, 9)
    expect(got.find((p) => p.id === 5)?.name).toBe('fs.PP_3_state[0.0].pressure')
  })

  it('T and P in other units: 80 degC, 1 bar liquid water h = 6036.09 J/mol', () => {
    const d = sb()
    delete d.properties.vapor_frac
    d.properties.temperature = { data: [{ id: 1, value: 80 }], unit: 'degC' }
    d.properties.pressure = { data: [{ id: 5, value: 1 }], unit: 'bar' }
    d.properties.enth_mol = { data: [{ id: 6 }], unit: 'J/mol' }
    const h = buildState(d).find((p) => p.id === 6)
    expect((h?.value as number[])[0]).toBeCloseTo(6036.09, 1)
  })

  it.each([
    ['one intensive value', (d: Doc) => delete d.properties.vapor_frac, 'FLOWSHEET_UNDERSPECIFIED'],
    [
      'three intensive values',
      (d: Doc) => (d.properties.pressure = { data: [{ id: 5, value: 1e5 }], unit: 'Pa' }),
      'FLOWSHEET_OVERSPECIFIED',
    ],
    [
      'an unsupported pair (T, h)',
      (d: Doc) => {
        delete d.properties.vapor_frac
        d.properties.enth_mol = { data: [{ id: 6, value: 5000 }], unit: 'J/mol' }
      },
      'FLOWSHEET_UNSUPPORTED_SPEC',
    ],
  ])('%s -> %s (422, details.path properties)', (_l, edit, code) => {
    const d = sb()
    edit(d)
    let err: unknown
    try {
      buildState(d)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe(code)
    expect((err as AppError).statusCode).toBe(422)
    expect((err as AppError).details?.path).toBe('properties')
  })

  it('a temperature below the package range is a thermo error, not NaN', () => {
    const d = sb()
    d.properties.temperature.data[0].value = 100
    let err: unknown
    try {
      buildState(d)
    } catch (e) {
      err = e
    }
    expect((err as AppError).code).toMatch(/^THERMO_/)
  })
})

describe('docs/solver-format.md examples stay true', () => {
  const md = readFileSync(new URL('../../../../docs/solver-format.md', import.meta.url), 'utf8')
  const blocks = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!)

  it('the document example parses and its reply example matches', () => {
    const doc = JSON.parse(blocks[0]!) as unknown
    const props = collectProperties(parseFlowsheet(doc), null)
    const shown = JSON.parse(blocks[2]!) as { flowsheet: { properties: SolvedProperty[] } }
    for (const p of shown.flowsheet.properties) {
      const got = props.find((x) => x.id === p.id)!
      expect(got.name).toBe(p.name)
      expect(got.unit).toBe(p.unit)
      expect(got.unknown_units).toBe(p.unknown_units)
      expect((got.value as number[])[0]).toBeCloseTo((p.value as number[])[0]!, 6)
    }
  })

  it('the /build_state example gives the pressure the text states', () => {
    const got = buildState(JSON.parse(blocks[3]!) as unknown)
    expect((got.find((p) => p.id === 5)?.value as number[])[0]).toBeCloseTo(101417.98, 1)
  })
})
