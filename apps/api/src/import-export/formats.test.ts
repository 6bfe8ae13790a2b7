import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { graphFromAhuora, graphFromRere } from './formats.ts'

const load = (n: string) =>
  JSON.parse(readFileSync(`/work/shared/data/ahuora-builder-tests/${n}.json`, 'utf8')) as Record<
    string,
    unknown
  >

describe('graphFromAhuora', () => {
  it('turns arcs into streams and gives every other port a feed or product stream', () => {
    const g = graphFromAhuora(load('pump'))
    const streams = g.objects.filter((o) => o.objectType === 'stream')
    expect(streams).toHaveLength(3) // arc pump.outlet -> heater.inlet, feed pump.inlet, product heater.outlet
    const pump = g.objects.find((o) => o.componentName === 'Pump-1')!
    expect(pump.ports.map((p) => [p.name, p.direction, p.stream !== null])).toEqual([
      ['inlet', 'inlet', true],
      ['outlet', 'outlet', true],
    ])
    const feed = streams.find((s) => s.ref === pump.ports[0].stream)!
    expect(feed.properties.map((p) => [p.key, p.value, p.unit, p.fixed])).toEqual([
      ['pressure', 11000000, 'Pa', true],
      ['enth_mol', 125, 'J/mol', true],
      ['flow_mol', 431, 'mol/s', true],
    ])
    expect(g.packages).toEqual([
      { ref: '-1', name: 'helmholtz', compounds: ['water'], phases: ['Liq', 'Vap'] },
    ])
  })

  it('keeps inlet-end values of arcs, the arc tear_guess, indexes and formula references', () => {
    const g = graphFromAhuora(load('mass_flow_tear'))
    const torn = g.objects.find((o) => o.args.tear_guess !== undefined)!
    expect(torn.args).toEqual({ tear_guess: { pressure: false, enth_mol: false, flow_mol: true } })
    expect(torn.properties.filter((p) => p.atInlet).map((p) => p.key)).toEqual([
      'pressure',
      'enth_mol',
      'flow_mass',
    ])
    const header = graphFromAhuora(load('header'))
    const split = header.objects[0].properties.filter((p) => p.key === 'split_flow')
    expect(split.map((p) => p.indexes)).toEqual([['outlet_1'], ['outlet_2']])
    const c = graphFromAhuora(load('constraints'))
    expect(c.formulaIds?.['130']).toBe('ahuora:130')
    expect(c.expressions).toEqual([
      expect.objectContaining({ ref: 'ahuora:130', expression: '101.325 * kPa' }),
    ])
  })

  it('names the path of what is wrong', () => {
    expect(() =>
      graphFromAhuora({
        unit_models: [
          {
            id: 1,
            type: 'pump',
            name: 'P',
            ports: {
              inlet: {
                id: 1,
                properties: { pressure: { data: [{ id: 1, value: 1 }], unit: 'furlong' } },
              },
            },
          },
        ],
        arcs: [],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'API_IMPORT_INVALID',
        details: expect.objectContaining({
          path: 'document.unit_models[0].ports.inlet.properties.pressure.unit',
        }),
      }),
    )
    expect(() =>
      graphFromRere({
        objects: [
          { ref: 1, objectType: 'pump', ports: [{ ref: 2, name: 'x', direction: 'sideways' }] },
        ],
      }),
    ).toThrow(
      expect.objectContaining({
        details: expect.objectContaining({ path: 'document.objects[0].ports[0].direction' }),
      }),
    )
  })
})
