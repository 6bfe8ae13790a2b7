import { describe, expect, it } from 'vitest'
import type { SolveReply } from '@rere/contract'
import { buildSolverDocument, type Sheet, type SheetProperty } from './document.ts'
import { assembleResult } from './solve.service.ts'

let nextId = 100
function p(objectId: number, key: string, over: Partial<SheetProperty> = {}): SheetProperty {
  return {
    id: nextId++,
    objectId,
    key,
    displayName: key,
    unit: 'dimensionless',
    value: null,
    valueSI: null,
    unitSI: 'dimensionless',
    quantity: 'dimensionless',
    fixed: false,
    guess: false,
    constraint: null,
    controlled: null,
    indexes: null,
    atInlet: false,
    ...over,
  }
}

/** pump 1 (ports 11 in, 12 out) -> stream 3 -> heater 2 (ports 21 in, 22 out); feed 4, product 5 */
function sheet(): Sheet {
  return {
    flowsheet: { id: 9, name: 'x', version: 3, expressions: [], meta: {} },
    packages: [{ id: 7, name: 'if97', compounds: ['water'], phases: ['Liq', 'Vap'] }],
    objects: [
      { id: 1, type: 'pump', name: 'P', x: 0, y: 0, args: { property_package: -1 } },
      { id: 2, type: 'splitter', name: 'H', x: 0, y: 0, args: {} },
      { id: 3, type: 'stream', name: 'S3', x: 0, y: 0, args: { tear_guess: { flow_mol: true } } },
      { id: 4, type: 'stream', name: 'S4', x: 0, y: 0, args: {} },
      { id: 5, type: 'stream', name: 'S5', x: 0, y: 0, args: {} },
    ],
    ports: [
      { id: 11, unitId: 1, name: 'inlet', direction: 'inlet', streamId: 4 },
      { id: 12, unitId: 1, name: 'outlet', direction: 'outlet', streamId: 3 },
      { id: 21, unitId: 2, name: 'inlet', direction: 'inlet', streamId: 3 },
      { id: 22, unitId: 2, name: 'outlet_1', direction: 'outlet', streamId: 5 },
    ],
    props: [
      p(1, 'efficiency_pump', { value: 0.5, valueSI: 0.5, fixed: true }),
      p(2, 'split_fraction', { value: 0.3, fixed: true, indexes: ['outlet_1'] }),
      p(2, 'split_fraction', { value: 0.7, fixed: true, indexes: ['outlet_2'] }),
      p(3, 'pressure', { value: 200, unit: 'kPa', fixed: true }),
      p(3, 'flow_mol', { value: 5, unit: 'mol/s', guess: true, atInlet: true }),
      p(4, 'temperature', {
        value: 80,
        unit: 'degC',
        valueSI: 353.15,
        unitSI: 'K',
        quantity: 'temperature',
        fixed: true,
      }),
      p(4, 'vapor_frac'),
      p(5, 'temperature', { unit: 'degC', unitSI: 'K', quantity: 'temperature' }),
    ],
  }
}

describe('buildSolverDocument', () => {
  const doc = buildSolverDocument(sheet()) as {
    property_packages: unknown[]
    unit_models: {
      id: number
      args: Record<string, unknown>
      properties: Record<string, { data: Record<string, unknown>[]; unit: string | null }>
      ports: Record<
        string,
        { id: number; properties: Record<string, { data: Record<string, unknown>[] }> }
      >
    }[]
    arcs: unknown[]
  }
  const [pump, splitter] = doc.unit_models

  it('uses the sheet package for default (-1) and missing package arguments', () => {
    expect(doc.property_packages).toEqual([
      { id: 7, type: 'if97', compounds: ['water'], phases: ['Liq', 'Vap'] },
    ])
    expect(pump.args.property_package).toBe(7)
    expect(splitter.args.property_package).toBe(7)
  })

  it('puts stream values on the port they leave, feeds on their inlet, inlet-end values on the destination', () => {
    expect(Object.keys(pump.ports.inlet.properties)).toEqual(['temperature', 'vapor_frac'])
    expect(pump.ports.inlet.properties.temperature.data).toEqual([
      { id: expect.any(Number), value: 80 },
    ])
    expect(pump.ports.inlet.properties.vapor_frac.data[0].value).toBeUndefined()
    expect(Object.keys(pump.ports.outlet.properties)).toEqual(['pressure'])
    expect(splitter.ports.inlet.properties.flow_mol.data[0]).toMatchObject({
      value: 5,
      guess: true,
    })
    expect(Object.keys(splitter.ports.outlet_1.properties)).toEqual(['temperature'])
    expect(doc.arcs).toEqual([
      { tear_guess: { flow_mol: true }, id: 3, source: 12, destination: 21 },
    ])
  })

  it('groups indexed values under one key with their discrete indexes', () => {
    expect(splitter.properties.split_fraction.data).toEqual([
      { id: expect.any(Number), value: 0.3, discrete_indexes: ['outlet_1'] },
      { id: expect.any(Number), value: 0.7, discrete_indexes: ['outlet_2'] },
    ])
  })
})

describe('assembleResult', () => {
  it('maps the reply back by ids: streams from their ports, display in the user units', () => {
    const s = sheet()
    const vf = s.props.find((x) => x.key === 'vapor_frac')!
    const state = {
      unitId: 1,
      unitName: 'P',
      port: 'inlet',
      temperature: 353.15,
      pressure: 1e5,
      flowMol: 1000,
      flowMass: 18.015268,
      enthMol: 6036,
      entrMol: 19.4,
      vaporFrac: 0,
      phase: 'liquid' as const,
      densMass: 971.8,
    }
    const reply: SolveReply = {
      status: 'success',
      error: null,
      timing: { totalMs: 1, phases: {} },
      log: [],
      flowsheet: {
        id: 9,
        properties: [{ id: vf.id, name: 'vf', value: [0.25], unit: 'dimensionless' }],
      },
      ports: [
        { ...state, portId: 11 },
        { ...state, portId: 12, pressure: 2e5 },
        { ...state, portId: 22, temperature: 373.15 },
      ],
      unitResults: [
        {
          unitId: 1,
          name: 'P',
          type: 'pump',
          values: { work_mechanical: 3707.5 },
          units: { work_mechanical: 'W' },
        },
      ],
    }
    const { result, computed } = assembleResult(s, reply, 2)
    expect(result.streams.map((x) => [x.name, x.pressure])).toEqual([
      ['S3', 2e5],
      ['S4', 1e5],
      ['S5', 1e5],
    ])
    expect(result.streams[2].display.temperature.unit).toBe('degC')
    expect(result.streams[2].display.temperature.value).toBeCloseTo(100, 9)
    // a value returned by id wins over the port state
    expect(computed.get(vf.id)).toBe(0.25)
    const t5 = s.props.find((x) => x.objectId === 5)!
    expect(computed.get(t5.id)).toBe(373.15)
    expect(result.properties.find((x) => x.id === t5.id)).toMatchObject({
      valueSI: 373.15,
      unit: 'degC',
    })
    expect(result.units[0].display.work_mechanical).toEqual({ value: 3707.5, unit: 'W' })
    expect(result.timing).toEqual({ totalMs: 2, solverMs: 1, phases: {} })
  })
})
