import { describe, expect, it } from 'vitest'
import { QUANTITY_KINDS, siUnitOf } from '@rere/units'
import { STREAM_PROPERTIES, UNIT_TYPES, getCatalogue, getUnitType } from './index.ts'

const ALL = [...STREAM_PROPERTIES, ...UNIT_TYPES.flatMap((u) => u.properties)]

describe('catalogue', () => {
  it('lists every unit type of the brief plus the stream', () => {
    const types = getCatalogue().units.map((u) => u.type)
    for (const t of [
      'pump',
      'compressor',
      'turbine',
      'valve',
      'heater',
      'cooler',
      'heatExchanger',
      'mixer',
      'splitter',
      'phaseSeparator',
      'header',
      'stream',
    ]) {
      expect(types).toContain(t)
    }
    expect(getCatalogue().propertyPackages.map((p) => p.name)).toEqual(['helmholtz', 'if97'])
  })

  it.each(ALL.map((d) => [d.key, d] as const))(
    '%s: kind, display unit and SI unit agree',
    (_k, d) => {
      const kind = QUANTITY_KINDS[d.kind]
      expect(kind, d.kind).toBeDefined()
      expect(siUnitOf(d.unit)).toBe(siUnitOf(kind!.si))
      expect(siUnitOf(d.unitSI)).toBe(siUnitOf(kind!.si))
      if (d.default !== null && d.range) {
        expect(d.default).toBeGreaterThanOrEqual(d.range[0])
        expect(d.default).toBeLessThanOrEqual(d.range[1])
      }
    },
  )

  it('ports follow num_inlets / num_outlets', () => {
    expect(
      getUnitType('mixer')!
        .ports({ num_inlets: 3 })
        .map((p) => p.name),
    ).toEqual(['inlet_1', 'inlet_2', 'inlet_3', 'outlet'])
    expect(
      getUnitType('splitter')!
        .ports({ num_outlets: 2 })
        .map((p) => p.stateBlock),
    ).toEqual(['mixed_state', 'outlet_1_state', 'outlet_2_state'])
    const h = getUnitType('header')!
      .ports({ num_inlets: 2, num_outlets: 1 })
      .map((p) => p.name)
    expect(h).toEqual([
      'mixer.inlet_1',
      'mixer.inlet_2',
      'splitter.outlet_1',
      'splitter.vent',
      'phase_separator.condensate_outlet',
    ])
  })

  it('feed inlets default to 25 degC, 101.325 kPa, 1 mol/s as specifications', () => {
    const pump = getCatalogue().units.find((u) => u.type === 'pump')!
    const inlet = pump.ports.find((p) => p.name === 'inlet')!
    expect(inlet.properties.find((p) => p.key === 'temperature')).toMatchObject({
      unit: 'degC',
      default: 25,
      fixed: true,
    })
    const outlet = pump.ports.find((p) => p.name === 'outlet')!
    expect(outlet.properties.find((p) => p.key === 'temperature')).toMatchObject({
      default: null,
      fixed: false,
    })
    expect(pump.properties.find((p) => p.key === 'efficiency_pump')).toMatchObject({
      fixed: true,
      quantity: 'dimensionless',
    })
  })
})
