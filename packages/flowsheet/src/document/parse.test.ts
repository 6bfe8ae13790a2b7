import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError } from '@rere/contract'
import { parseFlowsheet, parseStateBlock } from './index.ts'

const DIR = new URL('./fixtures/ahuora/', import.meta.url)
const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as Record<string, unknown>

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppError) return e
    throw e
  }
  throw new Error('expected an AppError')
}

/** a fresh copy of pump.json, mutated by `edit` */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test documents are mutated freely
type Doc = any
function pump(edit: (d: Doc) => void = () => {}): Doc {
  const d = load('pump.json')
  edit(d)
  return d
}

const WATER_CASES = [
  'pump',
  'pump_unit_conversions',
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

describe('parseFlowsheet: the water cases of the Ahuora test suite', () => {
  it.each(WATER_CASES)('%s.json parses', (name) => {
    const m = parseFlowsheet(load(`${name}.json`))
    expect(m.units.length).toBeGreaterThan(0)
    expect(Object.keys(m.packages)).toEqual(['helmholtz:water'])
    for (const u of m.units) for (const p of u.ports) expect(m.portById.get(p.id)?.port).toBe(p)
  })

  it('pump.json: SI values, ports, arcs', () => {
    const m = parseFlowsheet(load('pump.json'))
    const [p, h] = m.units
    expect(p?.type).toBe('pump')
    expect(p?.specs[0]).toMatchObject({
      id: 1,
      key: 'efficiency_pump',
      value: 0.8,
      unitSI: 'dimensionless',
    })
    const inlet = p?.ports.find((x) => x.name === 'inlet')
    expect(inlet?.direction).toBe('inlet')
    expect(inlet?.arcId).toBeNull()
    expect(inlet?.specs.map((s) => [s.key, s.value])).toEqual([
      ['pressure', 11e6],
      ['enth_mol', 125],
      ['flow_mol', 431],
    ])
    expect(p?.ports.find((x) => x.name === 'outlet')?.arcId).toBe(7)
    expect(h?.ports.find((x) => x.name === 'inlet')?.arcId).toBe(7)
    expect(m.arcs).toEqual([{ id: 7, source: 3, destination: 2, tearGuess: null, path: 'arcs[0]' }])
    expect(h?.specs[0]).toMatchObject({
      key: 'heat_duty',
      value: 100,
      unitSI: 'kg*m**2/s**3',
      unitIn: 'J/s',
    })
  })

  it('pump_unit_conversions.json gives the SI values of pump.json', () => {
    const a = parseFlowsheet(load('pump.json'))
    const b = parseFlowsheet(load('pump_unit_conversions.json'))
    const vals = (m: typeof a) =>
      m.units
        .flatMap((u) => [...u.specs, ...u.ports.flatMap((p) => p.specs)])
        .map((s) => s.value ?? 0)
    const va = vals(a)
    const vb = vals(b)
    expect(vb.length).toBe(va.length)
    va.forEach((v, i) => expect(vb[i]).toBeCloseTo(v, 3))
    expect(b.units[0]?.ports[0]?.specs[1]?.unitIn).toBe('cal/mol')
  })

  it('keeps guess, controlled, constraint, indexes and one-element lists', () => {
    const c = parseFlowsheet(load('control.json'))
    const specs = c.units[0]!.ports.flatMap((p) => p.specs)
    expect(specs.find((s) => s.id === 4)).toMatchObject({ guess: true, value: 4000 })
    expect(specs.find((s) => s.id === 6)).toMatchObject({
      controlled: 4,
      value: 6000,
      guess: false,
    })
    const k = parseFlowsheet(load('constraints.json'))
    const out = k.units[0]!.ports[1]!.specs[0]!
    expect(out).toMatchObject({
      id: 129,
      value: 200000,
      guess: true,
      constraint: 'id_130 * 2',
      unitIn: 'kPa',
    })
    const comp = parseFlowsheet(load('compressor.json'))
    const mf = comp.units[0]!.ports[0]!.specs.find((s) => s.key === 'mole_frac_comp')
    expect(mf?.indexes).toEqual(['h2o'])
    expect(comp.units[0]!.ports[0]!.specs.find((s) => s.key === 'temperature')?.value).toBeNull()
  })

  it('header.json: dotted port names, indexed split_flow, degC with offset', () => {
    const m = parseFlowsheet(load('header.json'))
    const u = m.units[0]!
    expect(u.ports.map((p) => p.name)).toEqual([
      'mixer.inlet_1',
      'splitter.outlet_1',
      'splitter.outlet_2',
      'splitter.vent',
      'phase_separator.condensate_outlet',
    ])
    expect(u.specs.filter((s) => s.key === 'split_flow').map((s) => s.indexes)).toEqual([
      ['outlet_1'],
      ['outlet_2'],
    ])
    const t = u.ports[0]!.specs.find((s) => s.key === 'temperature')
    expect(t?.value).toBeCloseTo(473.15, 9)
    expect(u.specs.find((s) => s.key === 'deltaP_inverted')?.unitSI).toBe('kg/m/s**2')
  })

  it('heat_exchanger.json: per-side packages and repeated property ids', () => {
    const m = parseFlowsheet(load('heat_exchanger.json'))
    expect(m.units[0]!.ports.map((p) => p.packageKey)).toEqual(Array(4).fill('helmholtz:water'))
    expect(m.specsById.get(3)?.map((s) => s.key)).toEqual(['hot_side.deltaP', 'pressure'])
    expect(m.expressions).toEqual([
      expect.objectContaining({
        id: 129,
        expression: 'id_2 * 10',
        path: 'expressions[0].expression',
      }),
    ])
  })

  it('heat exchanger: args.delta_temperature underwood (default) or lmtd', () => {
    const d = load('heat_exchanger.json') as Doc
    expect(parseFlowsheet(d).units[0]!.args.delta_temperature).toBe('underwood')
    d.unit_models[0].args.delta_temperature = 'lmtd'
    expect(parseFlowsheet(d).units[0]!.args.delta_temperature).toBe('lmtd')
    d.unit_models[0].args.delta_temperature = 'mean'
    const e = caught(() => parseFlowsheet(d))
    expect([e.code, e.details?.path]).toEqual([
      'FLOWSHEET_INVALID',
      'unit_models[0].args.delta_temperature',
    ])
  })

  it('mass_flow_tear.json: tear_guess kept on the arc', () => {
    const m = parseFlowsheet(load('mass_flow_tear.json'))
    expect(m.arcs[1]?.tearGuess).toEqual({ pressure: false, enth_mol: false, flow_mol: true })
  })
})

describe('out of scope: FLOWSHEET_UNSUPPORTED and FLOWSHEET_UNSUPPORTED_PACKAGE', () => {
  it.each([
    ['BT_PR', 'FLOWSHEET_UNSUPPORTED_PACKAGE', 'property_packages[0]'],
    ['compound_separator', 'FLOWSHEET_UNSUPPORTED_PACKAGE', 'property_packages[0]'],
    ['milk_heater', 'FLOWSHEET_UNSUPPORTED_PACKAGE', 'property_packages[0]'],
    ['propane_heat_pump', 'FLOWSHEET_UNSUPPORTED_PACKAGE', 'property_packages[0]'],
    ['propane_recycle', 'FLOWSHEET_UNSUPPORTED_PACKAGE', 'property_packages[0]'],
    ['dynamic_tank', 'FLOWSHEET_UNSUPPORTED', 'dynamic'],
    ['machine_learning', 'FLOWSHEET_UNSUPPORTED', 'unit_models[0].type'],
    ['optimization', 'FLOWSHEET_UNSUPPORTED', 'optimizations'],
    ['bus', 'FLOWSHEET_UNSUPPORTED', 'unit_models[0].type'],
    ['solar', 'FLOWSHEET_UNSUPPORTED', 'unit_models[0].type'],
  ])('%s.json -> %s at %s', (name, code, path) => {
    const e = caught(() => parseFlowsheet(load(`${name}.json`)))
    expect(e.code).toBe(code)
    expect(e.statusCode).toBe(400)
    expect(e.details?.path).toBe(path)
    if (code === 'FLOWSHEET_UNSUPPORTED_PACKAGE') expect(e.message).toMatch(/unsupported package/)
  })
})

describe('bad documents: code and details.path', () => {
  const cases: [string, (d: Doc) => void, string, string][] = [
    ['not an object', () => {}, 'FLOWSHEET_INVALID', ''],
    ['id not an integer', (d) => (d.id = 1.5), 'FLOWSHEET_INVALID', 'id'],
    ['unit_models missing', (d) => delete d.unit_models, 'FLOWSHEET_INVALID', 'unit_models'],
    [
      'unit type not a string',
      (d) => (d.unit_models[0].type = 5),
      'FLOWSHEET_INVALID',
      'unit_models[0].type',
    ],
    [
      'unknown unit type',
      (d) => (d.unit_models[1].type = 'reactor'),
      'FLOWSHEET_UNKNOWN_UNIT_TYPE',
      'unit_models[1].type',
    ],
    [
      'unknown port',
      (d) => (d.unit_models[0].ports.side = { id: 99, properties: {} }),
      'FLOWSHEET_UNKNOWN_PORT',
      'unit_models[0].ports.side',
    ],
    [
      'missing port',
      (d) => delete d.unit_models[0].ports.outlet,
      'FLOWSHEET_MISSING_PORT',
      'unit_models[0].ports.outlet',
    ],
    [
      'unknown unit property',
      (d) =>
        (d.unit_models[0].properties.efficiency_pmp = d.unit_models[0].properties.efficiency_pump),
      'FLOWSHEET_UNKNOWN_PROPERTY',
      'unit_models[0].properties.efficiency_pmp',
    ],
    [
      'unknown port property',
      (d) =>
        (d.unit_models[0].ports.inlet.properties.presure = {
          data: [{ id: 50, value: 1 }],
          unit: 'Pa',
        }),
      'FLOWSHEET_UNKNOWN_PROPERTY',
      'unit_models[0].ports.inlet.properties.presure',
    ],
    [
      'unknown unit',
      (d) => (d.unit_models[0].ports.inlet.properties.pressure.unit = 'kPaa'),
      'UNITS_UNKNOWN',
      'unit_models[0].ports.inlet.properties.pressure.unit',
    ],
    [
      'kPa on a temperature',
      (d) =>
        (d.unit_models[0].ports.outlet.properties.temperature = {
          data: [{ id: 50, value: 5 }],
          unit: 'kPa',
        }),
      'UNITS_INCOMPATIBLE',
      'unit_models[0].ports.outlet.properties.temperature.unit',
    ],
    [
      'negative flow',
      (d) => (d.unit_models[0].ports.inlet.properties.flow_mol.data[0].value = -1),
      'FLOWSHEET_BAD_VALUE',
      'unit_models[0].ports.inlet.properties.flow_mol.data[0].value',
    ],
    [
      'negative absolute temperature',
      (d) =>
        (d.unit_models[0].ports.outlet.properties.temperature = {
          data: [{ id: 50, value: -300 }],
          unit: 'degC',
        }),
      'FLOWSHEET_BAD_VALUE',
      'unit_models[0].ports.outlet.properties.temperature.data[0].value',
    ],
    [
      'efficiency above 1',
      (d) => (d.unit_models[0].properties.efficiency_pump.data[0].value = 80),
      'FLOWSHEET_BAD_VALUE',
      'unit_models[0].properties.efficiency_pump.data[0].value',
    ],
    [
      'value a string',
      (d) => (d.unit_models[0].ports.inlet.properties.flow_mol.data[0].value = '431'),
      'FLOWSHEET_BAD_VALUE',
      'unit_models[0].ports.inlet.properties.flow_mol.data[0].value',
    ],
    [
      'dynamic profile',
      (d) => (d.unit_models[0].ports.inlet.properties.flow_mol.data[0].value = [1, 2]),
      'FLOWSHEET_UNSUPPORTED',
      'unit_models[0].ports.inlet.properties.flow_mol.data[0].value',
    ],
    [
      'a value that overflows in SI',
      (d) => {
        d.unit_models[0].ports.inlet.properties.pressure.data[0].value = 1e308
        d.unit_models[0].ports.inlet.properties.pressure.unit = 'MPa'
      },
      'FLOWSHEET_BAD_VALUE',
      'unit_models[0].ports.inlet.properties.pressure.data[0].value',
    ],
    [
      'arc to a missing port',
      (d) => (d.arcs[0].destination = 42),
      'FLOWSHEET_BAD_ARC',
      'arcs[0].destination',
    ],
    ['arc from an inlet', (d) => (d.arcs[0].source = 1), 'FLOWSHEET_BAD_ARC', 'arcs[0].source'],
    [
      'a port with two arcs',
      (d) => d.arcs.push({ id: 8, source: 4, destination: 2 }),
      'FLOWSHEET_BAD_ARC',
      'arcs[1].destination',
    ],
    [
      'duplicate unit id',
      (d) => (d.unit_models[1].id = 8),
      'FLOWSHEET_DUPLICATE_ID',
      'unit_models[1].id',
    ],
    [
      'duplicate port id',
      (d) => (d.unit_models[1].ports.outlet.id = 1),
      'FLOWSHEET_DUPLICATE_ID',
      'unit_models[1].ports.outlet.id',
    ],
    [
      'unknown package id',
      (d) => (d.unit_models[0].args.property_package = 7),
      'FLOWSHEET_UNKNOWN_PACKAGE',
      'unit_models[0].args.property_package',
    ],
    [
      'a boolean arg given as a string',
      (d) => (d.unit_models[1].args.has_pressure_change = 'yes'),
      'FLOWSHEET_INVALID',
      'unit_models[1].args.has_pressure_change',
    ],
    [
      'unknown arg',
      (d) => (d.unit_models[0].args.speed = 3),
      'FLOWSHEET_UNKNOWN_ARG',
      'unit_models[0].args.speed',
    ],
    [
      'controlled refers to nothing',
      (d) => (d.unit_models[0].ports.outlet.properties.pressure.data[0].controlled = 999),
      'FLOWSHEET_BAD_REFERENCE',
      'unit_models[0].ports.outlet.properties.pressure.data[0].controlled',
    ],
    [
      'constraint with a syntax error',
      (d) => (d.unit_models[0].ports.outlet.properties.pressure.data[0].constraint = 'id_2 * (2'),
      'FLOWSHEET_BAD_EXPRESSION',
      'unit_models[0].ports.outlet.properties.pressure.data[0].constraint',
    ],
    [
      'constraint in the wrong units',
      (d) => (d.unit_models[0].ports.outlet.properties.pressure.data[0].constraint = 'id_4 * 2'),
      'FLOWSHEET_BAD_EXPRESSION',
      'unit_models[0].ports.outlet.properties.pressure.data[0].constraint',
    ],
    [
      'expression referring to nothing',
      (d) => (d.expressions = [{ id: 100, name: 'x', expression: 'id_77 + 1' }]),
      'FLOWSHEET_BAD_EXPRESSION',
      'expressions[0].expression',
    ],
    [
      'expression id equal to a property id',
      (d) => (d.expressions = [{ id: 4, name: 'x', expression: '1' }]),
      'FLOWSHEET_DUPLICATE_ID',
      'expressions[0].id',
    ],
    [
      'expressions in a cycle',
      (d) =>
        (d.expressions = [
          { id: 100, name: 'a', expression: 'id_101 + 1' },
          { id: 101, name: 'b', expression: 'id_100 * 2' },
        ]),
      'FLOWSHEET_BAD_EXPRESSION',
      'expressions[0].expression',
    ],
    [
      'a dynamic pump',
      (d) => (d.unit_models[0].args.dynamic = true),
      'FLOWSHEET_UNSUPPORTED',
      'unit_models[0].args.dynamic',
    ],
    ['time_set with two points', (d) => (d.time_set = [0, 1]), 'FLOWSHEET_UNSUPPORTED', 'time_set'],
  ]
  it.each(cases)('%s', (_label, edit, code, path) => {
    const doc = _label === 'not an object' ? [1, 2] : pump(edit)
    const e = caught(() => parseFlowsheet(doc))
    expect(e.code).toBe(code)
    expect(e.statusCode).toBe(400)
    expect(e.details?.path).toBe(path)
  })

  it('UNITS_INCOMPATIBLE names the unit and the expected quantity', () => {
    const e = caught(() =>
      parseFlowsheet(pump((d) => (d.unit_models[0].ports.inlet.properties.pressure.unit = 'degC'))),
    )
    expect(e.details).toMatchObject({ unit: 'degC', expected: 'pressure (Pa)' })
  })

  it('never throws anything but an AppError on random garbage', () => {
    const junk: unknown[] = [
      null,
      1,
      'x',
      [],
      {},
      { unit_models: {} },
      { unit_models: [null] },
      { unit_models: [{ id: 1 }] },
    ]
    for (const j of junk) expect(caught(() => parseFlowsheet(j)).statusCode).toBe(400)
  })

  it('null, empty and absent units are accepted (dimensionless or SI)', () => {
    const m = parseFlowsheet(
      pump((d) => {
        d.unit_models[0].properties.efficiency_pump.unit = null
        d.unit_models[0].ports.inlet.properties.flow_mol.unit = ''
        delete d.unit_models[0].ports.inlet.properties.enth_mol.unit
      }),
    )
    const specs = m.units[0]!.ports[0]!.specs
    expect(specs.find((s) => s.key === 'flow_mol')).toMatchObject({ value: 431, unitIn: null })
    expect(specs.find((s) => s.key === 'enth_mol')?.value).toBe(125)
  })
})

describe('parseStateBlock (/build_state)', () => {
  it('sb_vapor_frac.json', () => {
    const m = parseStateBlock(load('sb_vapor_frac.json'))
    expect(m.package).toMatchObject({ key: 'helmholtz:water', docId: 3 })
    expect(m.blockName).toBe('PP_3')
    expect(m.specs.map((s) => [s.id, s.key, s.value])).toEqual([
      [1, 'temperature', 373.15],
      [2, 'flow_mol', 1],
      [3, 'vapor_frac', 0],
      [4, 'mole_frac_comp', 1],
    ])
  })

  it('rejects a propane state block with FLOWSHEET_UNSUPPORTED_PACKAGE', () => {
    const d = load('sb_vapor_frac.json') as Doc
    d.property_package.compounds = ['propane']
    const e = caught(() => parseStateBlock(d))
    expect(e.code).toBe('FLOWSHEET_UNSUPPORTED_PACKAGE')
    expect(e.details?.path).toBe('property_package')
  })
})
